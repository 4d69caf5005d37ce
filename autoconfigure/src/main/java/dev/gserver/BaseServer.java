package dev.gserver;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.channels.SelectableChannel;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * gevent's {@code BaseServer}: a listener, an accept loop on one dedicated thread, and a
 * {@link Spawn} that runs a handler per accepted client. A transport subclass brings the
 * listener ({@link #initSocket()}), takes one client from it ({@link #doRead()}) and serves it
 * ({@link #handle(Client)}), as gevent's {@code StreamServer} does; the client itself knows how
 * to close (see {@link Client}).
 *
 * <h2>Life cycle</h2>
 * {@link #start()} binds (when given an address) and starts the accept thread;
 * {@link #close()} closes the listener at once; {@link #stop(Duration)} closes, waits for the
 * running handlers, then kills the rest. Each is safe to call again: a second {@code start()} of
 * a started server and a second {@code close()} or {@code stop()} do nothing. A server built from
 * an address may be started again after it was closed (it binds anew); a server given a listener
 * channel may not, because closing it closed that channel. {@code stop()} before {@code start()}
 * closes a given listener, as gevent does.
 *
 * @param <C> the accepted client, as the transport hands it over
 * @param <H> the user's handler type
 */
public abstract class BaseServer<C extends Client, H> extends ServerSettings<H> implements AutoCloseable {

	private static final Logger logger = LoggerFactory.getLogger(BaseServer.class);

	private final ServerEvents events = new ServerEvents();

	private final Counters counters = new Counters();

	private final TaskGroup handlers = new TaskGroup();

	private final AcceptLoop<C> acceptLoop = new AcceptLoop<>(this, this.events);

	private final Runnable slotFreed = this.acceptLoop::wakeUpIfFull;

	/** Set by start, cleared by the first stop after it: that stop logs what it did. */
	private final AtomicBoolean stopToReport = new AtomicBoolean();

	/** Numbers the connections, for the logs' MDC (see {@link ConnectionMdc#CONNECTION}). */
	private final AtomicLong connectionIds = new AtomicLong();

	private volatile CountDownLatch closedSignal = new CountDownLatch(1);

	/** Made by each start: {@code null} before the first. */
	private volatile @Nullable ThreadFactory handlerThreads;

	protected BaseServer(SocketAddress listener, @Nullable H handle, Spawn spawn) {
		super(listener, handle, spawn);
		this.events.add(this.counters);
	}

	protected BaseServer(String listener, @Nullable H handle, Spawn spawn) {
		this(Addresses.parse(listener), handle, spawn);
	}

	protected BaseServer(SelectableChannel listener, @Nullable H handle, Spawn spawn) {
		super(listener, handle, spawn);
		this.events.add(this.counters);
	}

	/** Adds a listener of the server's events (metrics, tests); see {@link ServerEventListener}. */
	public void addEventListener(ServerEventListener listener) {
		this.events.add(Objects.requireNonNull(listener, "listener"));
	}

	public void removeEventListener(ServerEventListener listener) {
		this.events.remove(listener);
	}

	// ---- state ----

	/** Returns whether the server was started and has not been closed since. */
	@Override
	public boolean isStarted() {
		return getAcceptState().isOpen();
	}

	/** Returns whether the server has no open listener: before start when built from an address, and after close. */
	public boolean isClosed() {
		SelectableChannel current = getListener();
		return current == null || !current.isOpen();
	}

	/** Returns whether the server takes connections now, and if not, why. */
	public AcceptState getAcceptState() {
		return this.acceptLoop.getState();
	}

	/** Returns whether accepting is wanted: true unless {@link #stopAccepting()} paused it. */
	public boolean isAccepting() {
		return getAcceptState() != AcceptState.PAUSED;
	}

	/** Returns whether the pool is full or the server handles {@link #getMaxConnections()} connections. */
	public boolean isFull() {
		Pool pool = getPool();
		return (pool != null && pool.isFull()) || atConnectionLimit();
	}

	private boolean atConnectionLimit() {
		int limit = getMaxConnections();
		return limit > 0 && this.handlers.size() >= limit;
	}

	/** Returns the error that closed the server, or {@code null}. */
	public @Nullable Throwable getFatalError() {
		return this.acceptLoop.getFatalError();
	}

	/** Returns how many connections the server has accepted since it was created. */
	public long getAcceptedCount() {
		return this.counters.accepted.sum();
	}

	/**
	 * Returns how many accepted connections were closed unhandled, for every reason: dropped by a
	 * full pool, their spawn failed, or (a {@link StreamServer}) their address had too many open.
	 */
	public long getRejectedCount() {
		return this.counters.rejected.sum();
	}

	/** Returns how many accepts have failed, fatal or not. */
	public long getAcceptErrorCount() {
		return this.counters.acceptErrors.sum();
	}

	/** Returns how many bytes the server's clients have sent to it, in all. */
	public long getBytesReceived() {
		return this.counters.received.sum();
	}

	/** Returns how many bytes the server has sent to its clients, in all. */
	public long getBytesSent() {
		return this.counters.sent.sum();
	}

	/** Returns how many connections have a handler running or about to run. */
	public int getActiveConnections() {
		return this.handlers.size();
	}

	long getAcceptWakeUps() {
		return this.acceptLoop.getWakeUps();
	}

	/** Returns the next connection's number: 1, 2, ... */
	final long nextConnectionId() {
		return this.connectionIds.incrementAndGet();
	}

	/** Returns the counters that a transport's clients add their bytes to. */
	final Counters getCounters() {
		return this.counters;
	}

	/** Returns where this server reports events, for a transport's own ones. */
	protected final ServerEventListener getEvents() {
		return this.events;
	}

	// ---- accepting ----

	/** Resumes accepting after {@link #stopAccepting()}; the listener stayed open meanwhile. */
	public void startAccepting() {
		if (this.acceptLoop.resume()) {
			this.events.acceptingResumed();
		}
	}

	/**
	 * Pauses accepting without closing the listener: new clients wait in the kernel backlog.
	 * Once this method returns, no further connection is accepted until {@link #startAccepting()}.
	 */
	public void stopAccepting() {
		if (this.acceptLoop.pause()) {
			this.events.acceptingPaused();
		}
	}

	/** Takes room for one more handler: below the connection limit and a pool slot, if any. */
	final boolean reserveSlot() {
		return !atConnectionLimit() && getSpawn().reserve();
	}

	/** Gives back the room {@link #reserveSlot()} took when no handler used it. */
	final void releaseSlot(boolean reserved) {
		if (reserved) {
			getSpawn().cancelReservation();
		}
	}

	final void closeClient(C client) {
		try {
			client.close();
		}
		catch (IOException ex) {
			// the client is gone either way
		}
	}

	// ---- the transport's part, gevent's hooks ----

	/** Binds and listens on {@link #getAddress()}; called by {@link #start()} unless the listener was given. */
	protected abstract SelectableChannel initSocket() throws IOException;

	/** Accepts (or receives) one client without blocking; {@code null} when none is pending. */
	protected abstract @Nullable C doRead() throws IOException;

	/**
	 * Readies a client on its handler's thread before the handler sees it, such as a TLS
	 * handshake; never on the accept thread. Returns {@code false} (or throws) when the client
	 * failed, and is then closed without its handler running. Returns {@code true} by default.
	 */
	protected boolean prepare(C client) throws Exception {
		return true;
	}

	/** Runs the user's handler for {@code client}. */
	protected abstract void handle(C client) throws Exception;

	/**
	 * Spawns the handler of one accepted client: gevent's {@code do_handle}. Called by the accept
	 * thread with room reserved in the pool; the client is closed when the handler ends.
	 * @throws RuntimeException if the spawn fails; the caller closes the client
	 */
	protected void doHandle(C client) {
		ClientTask<C> task = new ClientTask<>(this, client, this.events);
		this.handlers.add(task);
		try {
			// set by start, before the accept thread that calls this exists
			getSpawn().spawn(task, Objects.requireNonNull(this.handlerThreads));
		}
		catch (RuntimeException | Error ex) {
			this.handlers.remove(task);
			throw ex;
		}
	}

	@Override
	void limitsChanged() {
		this.acceptLoop.wakeUp();
	}

	/** A handler's task ended: its room frees for the next client. */
	final void handlerEnded(ClientTask<C> task) {
		this.handlers.remove(task);
		if (getMaxConnections() > 0) {
			this.acceptLoop.wakeUpIfFull();
		}
		clientEnded();
	}

	/** Applies {@code action} to the client of every handler running (or about to): for a transport's watchdog. */
	@SuppressWarnings("unchecked")
	final void forEachClient(Consumer<? super C> action) {
		this.handlers.forEach((task) -> action.accept(((ClientTask<C>) task).client()));
	}

	// ---- what a transport runs beside the accept thread (package-private: the core's transports only) ----

	/** Starts what the transport runs beside the accept thread, in threads named {@code threadPrefix + "-..."}; nothing by default. */
	void startTransport(String threadPrefix) {
	}

	/**
	 * The listener closed (or the start failed): what {@link #startTransport(String)} started may
	 * end once the handlers still running have; nothing by default.
	 */
	void closeTransport() {
	}

	/** Ends what {@link #startTransport(String)} started, now: a stop has ended the handlers; nothing by default. */
	void stopTransport() {
	}

	/** A handler ended; nothing by default. */
	void clientEnded() {
	}

	/** Returns whether connections are encrypted; false by default. */
	public boolean isSecure() {
		return false;
	}

	// ---- life cycle ----

	/**
	 * Binds when built from an address, then starts accepting on a new accept thread. Does nothing
	 * when already started.
	 * @throws IOException when binding fails; the message names the address
	 * @throws IllegalStateException without a handler, or when the listener was given and has been closed
	 */
	public void start() throws IOException {
		synchronized (this.lifecycle) {
			if (isStarted()) {
				return;
			}
			requireStartable();
			SelectableChannel opened = isListenerGiven() ? requireListener() : initSocket();
			Pool pool = getPool();
			try {
				// all set before the accept thread starts: it reads them
				listening(opened);
				String threadPrefix = getName() + "[" + Addresses.format(getAddress()) + "]";
				this.handlerThreads = Threads.named(threadPrefix + "-handler-", isVirtualThreads());
				this.closedSignal = new CountDownLatch(1);
				if (pool != null) {
					pool.addSlotFreedListener(this.slotFreed);
				}
				startTransport(threadPrefix);
				this.acceptLoop.start(opened, threadPrefix + "-accept");
			}
			catch (IOException | RuntimeException ex) {
				if (pool != null) {
					pool.removeSlotFreedListener(this.slotFreed);
				}
				closeTransport();
				if (!isListenerGiven()) {
					Listeners.closeQuietly(opened);
					listening(null);
				}
				throw ex;
			}
			this.stopToReport.set(true);
			logger.info("Started {} (host={}, port={}, spawn={}, tls={}, handlers on {} threads)", this,
					getServerHost(), getServerPort(), getSpawn(), isSecure() ? "on" : "off",
					Threads.isVirtual(this.handlerThreads) ? "virtual" : "platform");
		}
	}

	private void requireStartable() {
		if (getHandle() == null) {
			throw new IllegalStateException(
					"'handle' must be provided: pass a handler to the constructor or call setHandle(..)");
		}
		if (isListenerGiven() && !requireListener().isOpen()) {
			throw new IllegalStateException(
					this + " was closed together with the listener it was given; give it a new one with setListener(..)");
		}
		this.acceptLoop.join(TaskGroup.KILL_TIMEOUT);
		Thread lingering = this.acceptLoop.lingeringThread();
		if (lingering != null) {
			throw new IllegalStateException(this + " cannot start again: its previous accept thread "
					+ lingering.getName() + " is still running an inline handler");
		}
	}

	/**
	 * Closes the listener and stops accepting, at once; running handlers go on. Does nothing when
	 * already closed.
	 */
	@Override
	public void close() {
		closeOnFatalError(null);
	}

	/** Closes, remembering {@code error} (when not null) as what closed the server. */
	void closeOnFatalError(@Nullable Throwable error) {
		AcceptState previous;
		SelectableChannel listenerToClose;
		synchronized (this.lifecycle) {
			previous = this.acceptLoop.close(error);
			if (previous.isClosed()) {
				return;
			}
			listenerToClose = getListener();
			Pool pool = getPool();
			if (pool != null) {
				pool.removeSlotFreedListener(this.slotFreed);
			}
		}
		Listeners.closeQuietly(listenerToClose);
		closeTransport();
		this.closedSignal.countDown();
		if (previous != AcceptState.NEW) {
			this.events.closed();
		}
	}

	/** Stops within {@link #getStopTimeout()}; see {@link #stop(Duration)}. */
	public void stop() {
		stop(getStopTimeout());
	}

	/**
	 * Closes the listener, waits up to {@code timeout} for every running handler to end, then
	 * ends the input of the rest and kills those still running (closes their connections and
	 * interrupts their threads), waiting up to one more second for them. Safe to call again, and
	 * from a handler of this server.
	 */
	public void stop(Duration timeout) {
		Durations.requireNonNegative("timeout", timeout);
		close();
		boolean report = this.stopToReport.getAndSet(false);
		if (report) {
			// a stop may take the whole timeout: say so, or it looks hung
			logger.info("Stopping '{}' {}: waiting up to {} for {} handler(s), then ending their input and killing the rest",
					getName(), this, Durations.format(timeout), this.handlers.size());
		}
		TaskGroup.StopReport stopped = this.handlers.stop(timeout);
		this.acceptLoop.join(TaskGroup.KILL_TIMEOUT);
		stopTransport();
		if (report) {
			logger.info("Stopped {}: {}", this, stopped);
		}
		if (stopped.stuck() > 0) {
			logger.warn("{}: {} killed handler(s) did not end within {} ms; they ignore interrupts", this,
					stopped.stuck(), TaskGroup.KILL_TIMEOUT.toMillis());
		}
	}

	/** Serves until stopped, then stops within {@link #getStopTimeout()}; see {@link #serveForever(Duration)}. */
	public void serveForever() throws IOException {
		serveForever(getStopTimeout());
	}

	/**
	 * Starts if needed and blocks until the server is closed (by {@link #close()} or
	 * {@link #stop()} from another thread, by a fatal error, or by the JVM shutting down on a
	 * signal such as SIGTERM), then runs {@link #stop(Duration)} with {@code stopTimeout}. An
	 * interrupt of the calling thread stops the server too.
	 */
	public void serveForever(Duration stopTimeout) throws IOException {
		Durations.requireNonNegative("stopTimeout", stopTimeout);
		start();
		CountDownLatch closed = this.closedSignal;
		Thread shutdownHook = new Thread(() -> stop(stopTimeout), getName() + "-shutdown");
		Runtime.getRuntime().addShutdownHook(shutdownHook);
		try {
			closed.await();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		finally {
			stop(stopTimeout);
			try {
				Runtime.getRuntime().removeShutdownHook(shutdownHook);
			}
			catch (IllegalStateException ex) {
				// the JVM is shutting down: the hook runs or ran the same stop
			}
		}
	}

	@Override
	public String toString() {
		Class<?> type = getClass();
		while (type.getSimpleName().isEmpty()) {
			type = type.getSuperclass();
		}
		StringBuilder text = new StringBuilder("<").append(type.getSimpleName());
		text.append(" address=").append(Addresses.format(getAddress()));
		H current = getHandle();
		if (current != null) {
			text.append(" handle=").append(current);
		}
		return text.append('>').toString();
	}


}
