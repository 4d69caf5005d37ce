package dev.gserver;

import java.io.IOException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * gevent's hub, for one server: the selector, the accept thread, and the accept state. While
 * {@link AcceptState#ACCEPTING} it takes up to {@code maxAccept} clients per wake-up and spawns
 * a handler for each; a full pool, failed accepts and an operator's pause each move it to a
 * state of its own, and the state says when it accepts again.
 * <p>
 * The state moves {@code NEW -> ACCEPTING <-> PAUSED | POOL_FULL | BACKING_OFF}, and from any of
 * these to {@code CLOSED} or {@code FAILED}; a closed loop may start again.
 */
final class AcceptLoop<C extends Client> {

	private static final Logger logger = LoggerFactory.getLogger(BaseServer.class);

	private final BaseServer<C, ?> server;

	private final ServerEventListener events;

	private final AtomicReference<AcceptState> state = new AtomicReference<>(AcceptState.NEW);

	/** Held around each accept, so that once {@link #pause()} or {@link #close(Throwable)} returns nothing more is accepted. */
	private final ReentrantLock acceptLock = new ReentrantLock();

	private final Backoff backoff;

	private volatile @Nullable Selector selector;

	private volatile @Nullable Thread thread;

	private volatile @Nullable Throwable fatalError;

	/** How many times the thread woke up to accept; read by tests to see the {@code maxAccept} cap. */
	private volatile long wakeUps;

	AcceptLoop(BaseServer<C, ?> server, ServerEventListener events) {
		this.server = server;
		this.events = events;
		this.backoff = new Backoff(server);
	}

	AcceptState getState() {
		// never null: it starts as NEW and is only ever set to a state
		return Objects.requireNonNull(this.state.get());
	}

	@Nullable Throwable getFatalError() {
		return this.fatalError;
	}

	long getWakeUps() {
		return this.wakeUps;
	}

	/** Starts accepting on {@code listener} in a new thread named {@code threadName}. */
	void start(SelectableChannel listener, String threadName) throws IOException {
		Selector newSelector = Selector.open();
		SelectionKey key;
		try {
			listener.configureBlocking(false);
			key = listener.register(newSelector, 0);
		}
		catch (IOException | RuntimeException ex) {
			Listeners.closeQuietly(newSelector);
			throw ex;
		}
		this.selector = newSelector;
		this.backoff.reset();
		this.fatalError = null;
		this.state.set(AcceptState.ACCEPTING);
		// not a daemon: a running server keeps the JVM alive on its own (handler threads are daemons)
		Thread accepting = new Thread(() -> run(newSelector, key), threadName);
		accepting.setDaemon(false);
		this.thread = accepting;
		accepting.start();
	}

	private void run(Selector selector, SelectionKey key) {
		try {
			while (selector.isOpen()) {
				try {
					selector.select(updateInterest(key));
					// a key's ready set goes stale once handled: only a key selected by this very select counts
					if (selector.selectedKeys().remove(key) && key.interestOps() != 0) {
						acceptReady();
					}
				}
				catch (VirtualMachineError ex) {
					// the heap (or a stack) ran out for a moment, here or in a handler: the listener is intact
					acceptFailed(ex);
				}
			}
		}
		catch (ClosedSelectorException ex) {
			// closed by close() from another thread
		}
		catch (IOException | RuntimeException | Error ex) {
			if (selector.isOpen()) {
				failed(ex);
			}
		}
		finally {
			Listeners.closeQuietly(selector);
		}
	}

	/**
	 * Leaves a full pool or a finished back-off, and asks for readiness only while accepting.
	 * @return how long to wait at most: the rest of a back-off pause, or 0 until woken up
	 */
	private long updateInterest(SelectionKey key) {
		if (getState() == AcceptState.POOL_FULL && !this.server.isFull()) {
			this.state.compareAndSet(AcceptState.POOL_FULL, AcceptState.ACCEPTING);
		}
		long waitMillis = this.backoff.remainingMillis();
		if (waitMillis > 0) {
			this.state.compareAndSet(AcceptState.ACCEPTING, AcceptState.BACKING_OFF);
		}
		else {
			this.state.compareAndSet(AcceptState.BACKING_OFF, AcceptState.ACCEPTING);
		}
		// a TCP listener signals a connection to accept, a UDP socket a datagram to read
		int ready = key.channel().validOps() & (SelectionKey.OP_ACCEPT | SelectionKey.OP_READ);
		key.interestOps((getState() == AcceptState.ACCEPTING) ? ready : 0);
		return waitMillis;
	}

	/** Takes up to {@code maxAccept} pending clients: gevent's {@code _do_read}. */
	private void acceptReady() {
		this.wakeUps++;
		for (int i = 0; i < this.server.getMaxAccept(); i++) {
			boolean reserved = this.server.reserveSlot();
			if (!reserved && !this.server.isDropWhenFull()) {
				this.state.compareAndSet(AcceptState.ACCEPTING, AcceptState.POOL_FULL);
				this.events.poolSaturated();
				return;
			}
			C client;
			try {
				client = acceptOne();
			}
			catch (Exception | VirtualMachineError ex) {
				this.server.releaseSlot(reserved);
				acceptFailed(ex);
				return;
			}
			if (client == null) {
				this.server.releaseSlot(reserved);
				return;
			}
			this.events.connectionAccepted();
			if (!reserved) {
				// the seed's "dropped": a full pool closes what it accepts
				this.events.connectionRejected(ServerEventListener.REJECTED_POOL_FULL);
				this.server.closeClient(client);
				continue;
			}
			try {
				this.server.doHandle(client);
			}
			catch (RuntimeException | Error ex) {
				spawnFailed(client, ex);
				return;
			}
			// unlike gevent, reset only once the spawn worked too, so that failing spawns back off as failing accepts do
			this.backoff.reset();
		}
	}

	/** Accepts one client while accepting, or returns {@code null}. */
	private @Nullable C acceptOne() throws IOException {
		this.acceptLock.lock();
		try {
			return (getState() == AcceptState.ACCEPTING) ? this.server.doRead() : null;
		}
		finally {
			this.acceptLock.unlock();
		}
	}

	/** A failed accept: fatal when the listener is gone, else a pause, as a {@link VirtualMachineError} is too. */
	private void acceptFailed(Throwable error) {
		if (!getState().isOpen()) {
			return;
		}
		if (this.server.isFatalError(error)) {
			failed(error);
			return;
		}
		Duration delay = this.backoff.pause();
		logger.warn("{}: accept failed, pausing accepts for {} ms: {}", this.server, delay.toMillis(), error.toString());
		this.events.acceptFailed(error, false, delay);
	}

	/** Reports, then closes: whoever sees the connection closed can already see why. */
	private void spawnFailed(C client, Throwable error) {
		Duration delay = this.backoff.pause();
		logger.warn("{}: spawning a handler failed, closing the connection and pausing accepts for {} ms",
				this.server, delay.toMillis(), error);
		this.events.connectionRejected(ServerEventListener.REJECTED_SPAWN_FAILED);
		this.events.spawnFailed(error, delay);
		this.server.closeClient(client);
	}

	/** A fatal error: the listener is unusable, so the server closes. */
	private void failed(Throwable error) {
		logger.error("{} failed with {}; closing it", this.server, error.toString());
		this.events.acceptFailed(error, true, Duration.ZERO);
		this.server.closeOnFatalError(error);
	}

	/** Pauses accepting; returns whether it was accepting (or waiting to) before. */
	boolean pause() {
		AcceptState before;
		this.acceptLock.lock();
		try {
			before = this.state.getAndUpdate((current) -> current.isOpen() ? AcceptState.PAUSED : current);
		}
		finally {
			this.acceptLock.unlock();
		}
		wakeUp();
		return before.isOpen() && before != AcceptState.PAUSED;
	}

	/** Resumes accepting after {@link #pause()}; returns whether it was paused. */
	boolean resume() {
		boolean resumed = this.state.compareAndSet(AcceptState.PAUSED, AcceptState.ACCEPTING);
		wakeUp();
		return resumed;
	}

	/**
	 * Closes the selector, so that the thread ends; {@code fatalError} (or {@code null}) says
	 * why. Returns the state it was in: {@code CLOSED} or {@code FAILED} when it was closed already.
	 */
	AcceptState close(@Nullable Throwable fatalError) {
		AcceptState previous;
		this.acceptLock.lock();
		try {
			// every other move expects an open state, so that a plain write here always wins
			previous = getState();
			if (!previous.isClosed()) {
				this.fatalError = fatalError;
				this.state.set((fatalError != null) ? AcceptState.FAILED : AcceptState.CLOSED);
			}
		}
		finally {
			this.acceptLock.unlock();
		}
		// closing the selector deregisters the listener, so that its descriptor is released now
		// and not at the accept thread's next select
		Listeners.closeQuietly(this.selector);
		return previous;
	}

	/** Wakes the thread, so that it looks at the state again: a slot freed, or a setting changed. */
	void wakeUp() {
		Selector current = this.selector;
		if (current != null) {
			current.wakeup();
		}
	}

	/** Wakes the thread if it waits for a pool slot or for a connection to end. */
	void wakeUpIfFull() {
		if (getState() == AcceptState.POOL_FULL) {
			wakeUp();
		}
	}

	/** Waits up to {@code timeout} for the thread to end, unless the caller is that thread (an inline handler). */
	void join(Duration timeout) {
		Thread current = this.thread;
		if (current == null || current == Thread.currentThread()) {
			return;
		}
		try {
			current.join(timeout.toMillis());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	/** Returns the thread still running an inline handler of an earlier start, or {@code null}. */
	@Nullable Thread lingeringThread() {
		Thread current = this.thread;
		return (current != null && current.isAlive()) ? current : null;
	}

}
