package dev.gserver;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.NotYetBoundException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.gserver.ServerEventListener.HandlerOutcome;

/**
 * gevent's {@code BaseServer}: a listener, an accept loop on one dedicated thread, and a
 * {@link Spawn} that runs a handler per accepted client. Subclasses bring the transport by
 * implementing {@link #initSocket()}, {@link #doRead()}, {@link #handle(Object)} and
 * {@link #doClose(Object)}, as gevent's {@code StreamServer} does.
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
public abstract class BaseServer<C, H> implements AutoCloseable {

	private static final Logger logger = LoggerFactory.getLogger(BaseServer.class);

	/**
	 * How long handlers that outlive the stop timeout get to end, as gevent's
	 * {@code pool.kill(timeout=1)}: half after their input ended, half after they were killed.
	 */
	private static final Duration KILL_TIMEOUT = Duration.ofSeconds(1);

	private static final Duration DRAIN_TIMEOUT = KILL_TIMEOUT.dividedBy(2);

	private static final Set<Class<? extends Throwable>> FATAL_ERRORS = Set.of(ClosedChannelException.class,
			NotYetBoundException.class, ClosedSelectorException.class, CancelledKeyException.class);

	private enum State {

		NEW, STARTED, CLOSED

	}

	/** The most connections taken per wake-up of the accept thread before it looks at anything else. */
	private volatile int maxAccept = 100;

	/** The first pause after a failed accept or spawn; each further failure doubles it. */
	private volatile Duration minDelay = Duration.ofMillis(10);

	/** The longest pause after failed accepts or spawns. */
	private volatile Duration maxDelay = Duration.ofSeconds(1);

	/** How long {@link #stop()} and {@link #serveForever()} wait for handlers before killing them. */
	private volatile Duration stopTimeout = Duration.ofSeconds(1);

	/** Whether a full pool accepts and closes new connections (the seed's "dropped") instead of pausing. */
	private volatile boolean dropWhenFull;

	/** The most connections handled at once, whatever the spawn; 0 for no limit. */
	private volatile int maxConnections;

	/** Names the server's threads: {@code <name>[<address>]-accept}. */
	private volatile String name = "gserver";

	private SocketAddress address;

	private SelectableChannel listener;

	private boolean listenerGiven;

	private Spawn spawn = Spawn.DEFAULT;

	private volatile H handle;

	private final ServerEvents events = new ServerEvents();

	private final TaskGroup handlers = new TaskGroup();

	private final Traffic traffic = new Traffic();

	/** Held around start, close and the moves between them. */
	private final Object lifecycle = new Object();

	/** Held around each accept, so that once {@link #stopAccepting()} or {@link #close()} returns nothing more is accepted. */
	private final ReentrantLock acceptLock = new ReentrantLock();

	private volatile State state = State.NEW;

	private volatile Throwable fatalError;

	/** Set by start, cleared by the first stop after it: that stop logs what it did. */
	private final AtomicBoolean stopToReport = new AtomicBoolean();

	private volatile CountDownLatch closedSignal = new CountDownLatch(1);

	/** Whether an operator (or the code) wants connections accepted; see {@link #stopAccepting()}. */
	private volatile boolean acceptingWanted = true;

	/** Set by the accept thread while the pool is full; a freed slot then wakes it. */
	private volatile boolean waitingForSlot;

	private final Runnable slotFreed = this::wakeUpIfWaitingForSlot;

	private volatile Selector selector;

	private Thread acceptThread;

	private ThreadFactory handlerThreads;

	// written by the accept thread only, so that plain volatile fields count without contention
	private long delayNanos;

	private long backOffUntil;

	private volatile boolean backingOff;

	private volatile long acceptedCount;

	private volatile long rejectedCount;

	private volatile long acceptErrorCount;

	/** How many times the accept thread woke up to accept; read by tests to see the {@code maxAccept} cap. */
	private volatile long acceptWakeUps;

	protected BaseServer(SocketAddress listener, H handle, Spawn spawn) {
		setListenerAddress(listener);
		setSpawn(spawn);
		setHandle(handle);
	}

	protected BaseServer(String listener, H handle, Spawn spawn) {
		this(Addresses.parse(listener), handle, spawn);
	}

	protected BaseServer(SelectableChannel listener, H handle, Spawn spawn) {
		setListenerChannel(listener);
		setSpawn(spawn);
		setHandle(handle);
	}

	// ---- configuration, in the seed's order ----

	/** Listens on a gevent address string such as {@code "127.0.0.1:7000"}, {@code ":7000"} or {@code "[::1]:0"}. */
	public void setListener(String address) {
		setListenerAddress(Addresses.parse(address));
	}

	/** Listens on {@code address}, bound at {@link #start()}. */
	public void setListener(SocketAddress address) {
		setListenerAddress(address);
	}

	protected final void setListenerAddress(SocketAddress address) {
		Objects.requireNonNull(address, "address");
		synchronized (this.lifecycle) {
			requireNotStarted("set the listener");
			this.address = address;
			this.listener = null;
			this.listenerGiven = false;
		}
	}

	/** Serves on a channel the caller opened and bound; {@link #close()} closes it. */
	protected final void setListenerChannel(SelectableChannel channel) {
		Objects.requireNonNull(channel, "channel");
		synchronized (this.lifecycle) {
			requireNotStarted("set the listener");
			this.listener = channel;
			this.listenerGiven = true;
			this.address = localAddress(channel);
		}
	}

	public void setSpawn(Spawn spawn) {
		Objects.requireNonNull(spawn, "spawn: use Spawn.DEFAULT, Spawn.RAW, Spawn.NONE or a pool");
		synchronized (this.lifecycle) {
			requireNotStarted("change the spawn");
			this.spawn = spawn;
		}
	}

	public Spawn getSpawn() {
		return this.spawn;
	}

	/** Returns the pool handlers run in, or {@code null} when the spawn has none. */
	public Pool getPool() {
		return this.spawn.getPool();
	}

	/** Sets what serves each client; read for every new connection, so it may change while running. */
	public void setHandle(H handle) {
		this.handle = handle;
	}

	public H getHandle() {
		return this.handle;
	}

	public int getMaxAccept() {
		return this.maxAccept;
	}

	public void setMaxAccept(int maxAccept) {
		if (maxAccept < 1) {
			throw new IllegalArgumentException("maxAccept must be at least 1, got " + maxAccept);
		}
		this.maxAccept = maxAccept;
	}

	public Duration getMinDelay() {
		return this.minDelay;
	}

	public void setMinDelay(Duration minDelay) {
		requireNonNegative("minDelay", minDelay);
		this.minDelay = minDelay;
	}

	public Duration getMaxDelay() {
		return this.maxDelay;
	}

	public void setMaxDelay(Duration maxDelay) {
		requireNonNegative("maxDelay", maxDelay);
		this.maxDelay = maxDelay;
	}

	public Duration getStopTimeout() {
		return this.stopTimeout;
	}

	public void setStopTimeout(Duration stopTimeout) {
		requireNonNegative("stopTimeout", stopTimeout);
		this.stopTimeout = stopTimeout;
	}

	public boolean isDropWhenFull() {
		return this.dropWhenFull;
	}

	/**
	 * Whether a full pool accepts new connections and closes them at once (counted as rejected),
	 * as the seed document describes, instead of the default: pause accepting and leave them in
	 * the kernel backlog until a slot frees.
	 */
	public void setDropWhenFull(boolean dropWhenFull) {
		this.dropWhenFull = dropWhenFull;
	}

	public int getMaxConnections() {
		return this.maxConnections;
	}

	/**
	 * Limits how many connections are handled at once, whatever the spawn, so that a flood of
	 * clients cannot exhaust memory: at the limit the server behaves as with a full pool (pauses
	 * accepting, or drops with {@link #setDropWhenFull(boolean)}). 0, the default, is no limit.
	 */
	public void setMaxConnections(int maxConnections) {
		if (maxConnections < 0) {
			throw new IllegalArgumentException("maxConnections must be 0 (no limit) or positive, not " + maxConnections);
		}
		this.maxConnections = maxConnections;
		wakeUp();
	}

	public String getName() {
		return this.name;
	}

	/** Names the server in its thread names and log lines; {@code "gserver"} by default. */
	public void setName(String name) {
		this.name = Objects.requireNonNull(name, "name");
	}

	/** Returns the exception types meaning the listener itself is gone: gevent's EBADF, EINVAL, ENOTSOCK. */
	public Set<Class<? extends Throwable>> getFatalErrors() {
		return FATAL_ERRORS;
	}

	/** Returns whether a failed accept means the listener is unusable, so that the server closes. */
	public boolean isFatalError(Throwable error) {
		for (Class<? extends Throwable> type : getFatalErrors()) {
			if (type.isInstance(error)) {
				return true;
			}
		}
		return false;
	}

	public void addEventListener(ServerEventListener listener) {
		this.events.add(Objects.requireNonNull(listener, "listener"));
	}

	public void removeEventListener(ServerEventListener listener) {
		this.events.remove(listener);
	}

	// ---- state ----

	/** Returns the host the server is bound to, or is to bind to before start; {@code null} for a Unix socket. */
	public String getServerHost() {
		SocketAddress current = this.address;
		return (current instanceof InetSocketAddress) ? Addresses.host((InetSocketAddress) current) : null;
	}

	/** Returns the port the server is bound to (the real one once started on port 0); -1 for a Unix socket. */
	public int getServerPort() {
		SocketAddress current = this.address;
		return (current instanceof InetSocketAddress) ? ((InetSocketAddress) current).getPort() : -1;
	}

	/** Returns the address bound, or to bind before start. */
	public SocketAddress getAddress() {
		return this.address;
	}

	/** Returns the listener channel: given, or opened by {@link #initSocket()}; {@code null} before that. */
	protected final SelectableChannel getListener() {
		return this.listener;
	}

	/** Returns whether the caller gave the listener channel, rather than an address to bind. */
	protected final boolean isListenerGiven() {
		return this.listenerGiven;
	}

	/** Returns whether the server was started and has not been closed since. */
	public boolean isStarted() {
		return this.state == State.STARTED;
	}

	/** Returns whether the server has no open listener: before start when built from an address, and after close. */
	public boolean isClosed() {
		SelectableChannel current = this.listener;
		return current == null || !current.isOpen();
	}

	/** Returns whether the server takes connections now, and if not, why. */
	public AcceptState getAcceptState() {
		switch (this.state) {
			case NEW:
				return AcceptState.NEW;
			case CLOSED:
				return (this.fatalError != null) ? AcceptState.FAILED : AcceptState.CLOSED;
			default:
				if (!this.acceptingWanted) {
					return AcceptState.PAUSED;
				}
				if (this.waitingForSlot) {
					return AcceptState.POOL_FULL;
				}
				return this.backingOff ? AcceptState.BACKING_OFF : AcceptState.ACCEPTING;
		}
	}

	/** Returns how many connections the server has accepted since it was created. */
	public long getAcceptedCount() {
		return this.acceptedCount;
	}

	/** Returns how many accepted connections were closed unhandled: dropped by a full pool, or their spawn failed. */
	public long getRejectedCount() {
		return this.rejectedCount;
	}

	/** Returns how many accepts have failed, fatal or not. */
	public long getAcceptErrorCount() {
		return this.acceptErrorCount;
	}

	/** Returns whether accepting is wanted: true unless {@link #stopAccepting()} paused it. */
	public boolean isAccepting() {
		return this.acceptingWanted;
	}

	/** Returns whether the pool is full or the server handles {@link #getMaxConnections()} connections. */
	public boolean isFull() {
		Pool pool = getPool();
		return (pool != null && pool.isFull()) || atConnectionLimit();
	}

	private boolean atConnectionLimit() {
		int limit = this.maxConnections;
		return limit > 0 && this.handlers.size() >= limit;
	}

	/** Returns the error that closed the server, or {@code null}. */
	public Throwable getFatalError() {
		return this.fatalError;
	}

	long getAcceptWakeUps() {
		return this.acceptWakeUps;
	}

	/** Returns how many bytes the server's clients have sent to it, in all. */
	public long getBytesReceived() {
		return this.traffic.received.sum();
	}

	/** Returns how many bytes the server has sent to its clients, in all. */
	public long getBytesSent() {
		return this.traffic.sent.sum();
	}

	/** Returns the byte counters that a transport's connections add to. */
	final Traffic getTraffic() {
		return this.traffic;
	}

	/** Returns how many connections have a handler running or about to run. */
	public int getActiveConnections() {
		return this.handlers.size();
	}

	// ---- accepting ----

	/** Resumes accepting after {@link #stopAccepting()}; the listener stayed open meanwhile. */
	public void startAccepting() {
		boolean resumed;
		this.acceptLock.lock();
		try {
			resumed = !this.acceptingWanted;
			this.acceptingWanted = true;
		}
		finally {
			this.acceptLock.unlock();
		}
		wakeUp();
		if (resumed) {
			this.events.acceptingResumed();
		}
	}

	/**
	 * Pauses accepting without closing the listener: new clients wait in the kernel backlog.
	 * Once this method returns, no further connection is accepted until {@link #startAccepting()}.
	 */
	public void stopAccepting() {
		boolean paused;
		this.acceptLock.lock();
		try {
			paused = this.acceptingWanted;
			this.acceptingWanted = false;
		}
		finally {
			this.acceptLock.unlock();
		}
		wakeUp();
		if (paused) {
			this.events.acceptingPaused();
		}
	}

	/**
	 * The accept thread: gevent's hub, for this server only. It ends when {@link #close()} closes
	 * its selector.
	 */
	private void acceptLoop(Selector selector, SelectionKey acceptKey) {
		try {
			while (selector.isOpen()) {
				long waitMillis = updateInterest(acceptKey);
				selector.select(waitMillis);
				// a key's ready set goes stale once handled: only a key selected by this very select counts
				if (selector.selectedKeys().remove(acceptKey) && acceptKey.interestOps() != 0) {
					acceptReady();
				}
			}
		}
		catch (ClosedSelectorException ex) {
			// closed by close() from another thread
		}
		catch (IOException | RuntimeException | Error ex) {
			if (selector.isOpen()) {
				closeOnFatalError(ex);
			}
		}
		finally {
			closeQuietly(selector);
		}
	}

	/**
	 * Asks for accept readiness only when a connection may be taken now.
	 * @return how long to wait at most: the rest of a back-off pause, or 0 for no limit
	 */
	private long updateInterest(SelectionKey acceptKey) {
		if (this.waitingForSlot && !isFull()) {
			this.waitingForSlot = false;
		}
		long waitMillis = 0;
		if (this.backingOff) {
			long left = this.backOffUntil - System.nanoTime();
			if (left > 0) {
				waitMillis = Math.max(1, TimeUnit.NANOSECONDS.toMillis(left));
			}
			else {
				this.backingOff = false;
			}
		}
		boolean accept = this.acceptingWanted && !this.waitingForSlot && !this.backingOff;
		// a TCP listener signals a connection to accept, a UDP socket a datagram to read
		int ready = acceptKey.channel().validOps() & (SelectionKey.OP_ACCEPT | SelectionKey.OP_READ);
		acceptKey.interestOps(accept ? ready : 0);
		return waitMillis;
	}

	/** Takes up to {@code maxAccept} pending connections: gevent's {@code _do_read}. */
	private void acceptReady() {
		this.acceptWakeUps++;
		for (int i = 0; i < this.maxAccept; i++) {
			if (atConnectionLimit() || !this.spawn.reserve()) {
				if (!this.dropWhenFull) {
					this.waitingForSlot = true;
					this.events.poolSaturated();
					return;
				}
				if (!dropOne()) {
					return;
				}
				continue;
			}
			C client;
			try {
				client = acceptOne();
			}
			catch (Exception ex) {
				this.spawn.cancelReservation();
				acceptFailed(ex);
				return;
			}
			if (client == null) {
				this.spawn.cancelReservation();
				return;
			}
			this.acceptedCount++;
			this.events.connectionAccepted();
			try {
				doHandle(client);
			}
			catch (RuntimeException | Error ex) {
				spawnFailed(client, ex);
				return;
			}
			// unlike gevent, reset only once the spawn worked too, so that failing spawns back off as failing accepts do
			this.delayNanos = this.minDelay.toNanos();
		}
	}

	/** Accepts one connection while accepting is wanted, or returns {@code null}. */
	private C acceptOne() throws IOException {
		this.acceptLock.lock();
		try {
			return (this.acceptingWanted && this.state == State.STARTED) ? doRead() : null;
		}
		finally {
			this.acceptLock.unlock();
		}
	}

	/** Accepts a connection and closes it: a full pool's "dropped" connection. */
	private boolean dropOne() {
		C client;
		try {
			client = acceptOne();
		}
		catch (Exception ex) {
			acceptFailed(ex);
			return false;
		}
		if (client == null) {
			return false;
		}
		this.acceptedCount++;
		this.rejectedCount++;
		this.events.connectionAccepted();
		this.events.connectionRejected();
		doClose(client);
		return true;
	}

	private void acceptFailed(Exception error) {
		if (this.state != State.STARTED) {
			return;
		}
		if (isFatalError(error)) {
			closeOnFatalError(error);
			return;
		}
		this.acceptErrorCount++;
		Duration delay = backOff();
		logger.warn("{}: accept failed, pausing accepts for {} ms: {}", this, delay.toMillis(), error.toString());
		this.events.acceptFailed(error, false, delay);
	}

	/** Reports, then closes: whoever sees the connection closed can already see why. */
	private void spawnFailed(C client, Throwable error) {
		Duration delay = backOff();
		logger.warn("{}: spawning a handler failed, closing the connection and pausing accepts for {} ms", this,
				delay.toMillis(), error);
		this.rejectedCount++;
		this.events.connectionRejected();
		this.events.spawnFailed(error, delay);
		doClose(client);
	}

	/** Pauses accepting for the current delay, then doubles the delay up to {@code maxDelay}. */
	private Duration backOff() {
		long delay = this.delayNanos;
		this.backingOff = true;
		this.backOffUntil = System.nanoTime() + delay;
		this.delayNanos = Math.min(this.maxDelay.toNanos(), Math.max(delay * 2, 1));
		return Duration.ofNanos(delay);
	}

	private void closeOnFatalError(Throwable error) {
		this.acceptErrorCount++;
		this.fatalError = error;
		logger.error("{} failed with {}; closing it", this, error.toString());
		this.events.acceptFailed(error, true, Duration.ZERO);
		close();
	}

	private void wakeUpIfWaitingForSlot() {
		if (this.waitingForSlot) {
			wakeUp();
		}
	}

	private void wakeUp() {
		Selector current = this.selector;
		if (current != null) {
			current.wakeup();
		}
	}

	// ---- handling ----

	/**
	 * Spawns the handler of one accepted client: gevent's {@code do_handle}. Called by the accept
	 * thread with room reserved in the pool; the connection is closed when the handler ends.
	 * @throws RuntimeException if the spawn fails; the caller closes the client
	 */
	protected void doHandle(C client) {
		ClientTask task = new ClientTask(client);
		this.handlers.add(task);
		try {
			this.spawn.spawn(task, this.handlerThreads);
		}
		catch (RuntimeException | Error ex) {
			this.handlers.remove(task);
			throw ex;
		}
	}

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

	/** Binds and listens when built from an address, or checks a given listener; returns the listener. */
	protected abstract SelectableChannel initSocket() throws IOException;

	/** Accepts (or receives) one client without blocking; {@code null} when none is pending. */
	protected abstract C doRead() throws IOException;

	/** Closes one client; must be safe to call twice and from any thread. */
	protected abstract void doClose(C client);

	/**
	 * Closes one client at once when its handler is killed, while the handler may be blocked on
	 * it; {@link #doClose(Object)} by default.
	 */
	protected void doAbort(C client) {
		doClose(client);
	}

	/**
	 * Ends the input of a client whose handler outlived the stop timeout, so that a handler
	 * reading its next request sees the end of the stream while one writing can finish; nothing
	 * by default, which leaves the handler to be killed.
	 */
	protected void doEndInput(C client) {
	}

	/**
	 * Returns whether the server itself closed {@code client} (an idle timeout), so that the
	 * handler's failure that followed is no error; false by default.
	 */
	protected boolean wasClosedByServer(C client) {
		return false;
	}

	/** Returns where this server reports events, for a transport's own ones. */
	protected final ServerEventListener getEvents() {
		return this.events;
	}

	/** Returns whether connections are encrypted; false by default. */
	public boolean isSecure() {
		return false;
	}

	/** Returns the client's address, for log lines. */
	protected abstract SocketAddress getRemoteAddress(C client);

	// ---- life cycle ----

	/**
	 * Binds when built from an address, then starts accepting on a new accept thread. Does nothing
	 * when already started.
	 * @throws IOException when binding fails; the message names the address
	 * @throws IllegalStateException without a handler, or when the listener was given and has been closed
	 */
	public void start() throws IOException {
		synchronized (this.lifecycle) {
			if (this.state == State.STARTED) {
				return;
			}
			if (this.handle == null) {
				throw new IllegalStateException(
						"'handle' must be provided: pass a handler to the constructor or call setHandle(..)");
			}
			if (this.listenerGiven && !this.listener.isOpen()) {
				throw new IllegalStateException(
						this + " was closed together with the listener it was given; give it a new one with setListener(..)");
			}
			joinAcceptThread();
			if (this.acceptThread != null && this.acceptThread.isAlive()) {
				throw new IllegalStateException(this + " cannot start again: its previous accept thread "
						+ this.acceptThread.getName() + " is still running an inline handler");
			}
			Selector newSelector = null;
			SelectionKey acceptKey;
			try {
				this.listener = initSocket();
				this.address = localAddress(this.listener);
				this.listener.configureBlocking(false);
				newSelector = Selector.open();
				acceptKey = this.listener.register(newSelector, 0);
			}
			catch (IOException | RuntimeException ex) {
				closeQuietly(newSelector);
				if (!this.listenerGiven) {
					closeQuietly(this.listener);
					this.listener = null;
				}
				throw ex;
			}
			Selector acceptSelector = newSelector;
			SelectionKey key = acceptKey;
			this.selector = acceptSelector;
			String threadPrefix = this.name + "[" + Addresses.format(this.address) + "]";
			this.handlerThreads = Threads.named(threadPrefix + "-handler-");
			this.delayNanos = this.minDelay.toNanos();
			this.backingOff = false;
			this.waitingForSlot = false;
			this.acceptingWanted = true;
			this.fatalError = null;
			this.closedSignal = new CountDownLatch(1);
			Pool pool = getPool();
			if (pool != null) {
				pool.addSlotFreedListener(this.slotFreed);
			}
			this.state = State.STARTED;
			this.stopToReport.set(true);
			// not a daemon: a running server keeps the JVM alive on its own (handler threads are daemons)
			this.acceptThread = new Thread(() -> acceptLoop(acceptSelector, key), threadPrefix + "-accept");
			this.acceptThread.setDaemon(false);
			this.acceptThread.start();
			logger.info("Started {} (host={}, port={}, spawn={}, tls={}, handlers on {} threads)", this,
					getServerHost(), getServerPort(), this.spawn, isSecure() ? "on" : "off",
					Threads.virtual() ? "virtual" : "platform");
		}
	}

	/**
	 * Closes the listener and stops accepting, at once; running handlers go on. Does nothing when
	 * already closed.
	 */
	@Override
	public void close() {
		boolean wasStarted;
		Selector selectorToClose;
		SelectableChannel listenerToClose;
		synchronized (this.lifecycle) {
			this.acceptLock.lock();
			try {
				if (this.state == State.CLOSED) {
					return;
				}
				wasStarted = this.state == State.STARTED;
				this.state = State.CLOSED;
			}
			finally {
				this.acceptLock.unlock();
			}
			selectorToClose = this.selector;
			listenerToClose = this.listener;
			Pool pool = getPool();
			if (pool != null) {
				pool.removeSlotFreedListener(this.slotFreed);
			}
		}
		// closing the selector deregisters the listener, so that its descriptor is released now
		// and not at the accept thread's next select
		closeQuietly(selectorToClose);
		closeQuietly(listenerToClose);
		this.closedSignal.countDown();
		if (wasStarted) {
			this.events.closed();
		}
	}

	/** Stops within {@link #getStopTimeout()}; see {@link #stop(Duration)}. */
	public void stop() {
		stop(this.stopTimeout);
	}

	/**
	 * Closes the listener, waits up to {@code timeout} for every running handler to end, then
	 * kills the rest (closes their connections and interrupts their threads) and waits up to one
	 * more second for them. Safe to call again, and from a handler of this server.
	 */
	public void stop(Duration timeout) {
		requireNonNegative("timeout", timeout);
		close();
		boolean report = this.stopToReport.getAndSet(false);
		int running = this.handlers.size();
		boolean interrupted = false;
		boolean ended;
		try {
			ended = this.handlers.join(timeout);
		}
		catch (InterruptedException ex) {
			interrupted = true;
			ended = false;
		}
		int outlived = 0;
		int killed = 0;
		int stuck = 0;
		if (!ended) {
			outlived = this.handlers.size();
			// end of input first: a handler waiting for a request ends as if its client had left, one writing a reply finishes it
			if (!this.handlers.drain(DRAIN_TIMEOUT)) {
				killed = this.handlers.size();
				stuck = this.handlers.kill(KILL_TIMEOUT.minus(DRAIN_TIMEOUT));
			}
		}
		joinAcceptThread();
		if (report) {
			logger.info("Stopped {}: {} handler(s) finished, {} ended at end of input, {} killed", this,
					running - outlived, outlived - killed, killed);
		}
		if (stuck > 0) {
			logger.warn("{}: {} killed handler(s) did not end within {} ms; they ignore interrupts", this, stuck,
					KILL_TIMEOUT.toMillis());
		}
		if (interrupted) {
			Thread.currentThread().interrupt();
		}
	}

	private void joinAcceptThread() {
		Thread thread = this.acceptThread;
		if (thread == null || thread == Thread.currentThread()) {
			return;
		}
		try {
			thread.join(KILL_TIMEOUT.toMillis());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	/** Serves until stopped, then stops within {@link #getStopTimeout()}; see {@link #serveForever(Duration)}. */
	public void serveForever() throws IOException {
		serveForever(this.stopTimeout);
	}

	/**
	 * Starts if needed and blocks until the server is closed (by {@link #close()} or
	 * {@link #stop()} from another thread, by a fatal error, or by the JVM shutting down on a
	 * signal such as SIGTERM), then runs {@link #stop(Duration)} with {@code stopTimeout}. An
	 * interrupt of the calling thread stops the server too.
	 */
	public void serveForever(Duration stopTimeout) throws IOException {
		requireNonNegative("stopTimeout", stopTimeout);
		start();
		CountDownLatch closed = this.closedSignal;
		Thread shutdownHook = new Thread(() -> stop(stopTimeout), this.name + "-shutdown");
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
		text.append(" address=").append(Addresses.format(this.address));
		H current = this.handle;
		if (current != null) {
			text.append(" handle=").append(current);
		}
		return text.append('>').toString();
	}

	// ---- helpers ----

	private void requireNotStarted(String action) {
		if (this.state == State.STARTED) {
			throw new IllegalStateException("Cannot " + action + " of " + this + " while it is started");
		}
	}

	private static void requireNonNegative(String name, Duration value) {
		Objects.requireNonNull(value, name);
		if (value.isNegative()) {
			throw new IllegalArgumentException(name + " must not be negative, got " + value);
		}
	}

	private static SocketAddress localAddress(SelectableChannel channel) {
		try {
			return ((java.nio.channels.NetworkChannel) channel).getLocalAddress();
		}
		catch (IOException ex) {
			throw new IllegalArgumentException("Cannot read the address of listener " + channel, ex);
		}
	}

	private static void closeQuietly(Closeable closeable) {
		if (closeable == null) {
			return;
		}
		try {
			closeable.close();
		}
		catch (IOException ex) {
			logger.debug("Closing {} failed", closeable, ex);
		}
	}

	/** One client's handler run, tracked so that {@link #stop(Duration)} can wait for it and kill it. */
	private final class ClientTask extends Task {

		private final C client;

		private boolean executed;

		ClientTask(C client) {
			this.client = client;
		}

		@Override
		protected void execute() {
			this.executed = true;
			if (!prepareQuietly()) {
				doClose(this.client);
				return;
			}
			long started = System.nanoTime();
			HandlerOutcome outcome = HandlerOutcome.SUCCESS;
			events.handlerStarted();
			try {
				handle(this.client);
			}
			catch (Throwable ex) {
				outcome = handlerFailed(ex);
			}
			finally {
				doClose(this.client);
				if (isKilled()) {
					outcome = HandlerOutcome.KILLED;
				}
				events.handlerFinished(outcome, System.nanoTime() - started);
			}
		}

		/** Readies the client (a TLS handshake); a client that fails it costs a DEBUG line, no handler. */
		private boolean prepareQuietly() {
			try {
				return prepare(this.client);
			}
			catch (Exception ex) {
				logger.debug("Client {} of {} failed before its handler: {}", getRemoteAddress(this.client),
						BaseServer.this, ex.toString());
				return false;
			}
		}

		private HandlerOutcome handlerFailed(Throwable error) {
			if (isKilled() || isDrained()) {
				logger.debug("Killed handler of {} on {} ended with {}", getRemoteAddress(this.client),
						BaseServer.this, error.toString());
				return HandlerOutcome.KILLED;
			}
			if (wasClosedByServer(this.client)) {
				logger.debug("Handler of {} on {} ended as the server closed its connection: {}",
						getRemoteAddress(this.client), BaseServer.this, error.toString());
				return HandlerOutcome.SUCCESS;
			}
			logger.warn("Handler failed for client {} on {}", getRemoteAddress(this.client), BaseServer.this,
					error);
			return HandlerOutcome.ERROR;
		}

		@Override
		protected void abort() {
			doAbort(this.client);
		}

		@Override
		protected void endInput() {
			doEndInput(this.client);
		}

		@Override
		protected void finished() {
			if (!this.executed) {
				// killed before its thread ran it: still a handler that started and was killed
				events.handlerStarted();
				events.handlerFinished(HandlerOutcome.KILLED, 0);
			}
			handlers.remove(this);
			if (maxConnections > 0) {
				wakeUpIfWaitingForSlot();
			}
		}

	}

}
