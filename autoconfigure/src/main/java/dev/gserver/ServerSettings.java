package dev.gserver;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.NetworkChannel;
import java.nio.channels.NotYetBoundException;
import java.nio.channels.SelectableChannel;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;

import org.jspecify.annotations.Nullable;

/**
 * What a server is configured with, before and while it runs: what to serve (the listener, the
 * spawn, the handler) and how (gevent's class attributes: how the accept loop takes connections
 * and backs off, which errors are fatal, how long a stop waits, the server's name). Plain
 * values; {@link BaseServer} runs with them.
 *
 * @param <H> the user's handler type
 */
abstract class ServerSettings<H> {

	private static final Set<Class<? extends Throwable>> FATAL_ERRORS = Set.of(ClosedChannelException.class,
			NotYetBoundException.class, ClosedSelectorException.class, CancelledKeyException.class);

	private volatile SocketAddress address;

	private volatile @Nullable SelectableChannel listener;

	private boolean listenerGiven;

	private Spawn spawn = Spawn.DEFAULT;

	private volatile @Nullable H handle;

	/** Held around start, close, the moves between them, and changes that must wait for a stop. */
	final Object lifecycle = new Object();

	// the fields directly, not the setters: a setter asks the server, which is not built yet, whether it runs
	ServerSettings(SocketAddress listener, @Nullable H handle, Spawn spawn) {
		this.address = Objects.requireNonNull(listener, "address");
		this.spawn = requireSpawn(spawn);
		this.handle = handle;
	}

	ServerSettings(SelectableChannel listener, @Nullable H handle, Spawn spawn) {
		this.address = requireBound(listener);
		this.listener = listener;
		this.listenerGiven = true;
		this.spawn = requireSpawn(spawn);
		this.handle = handle;
	}

	// ---- what to serve, in the seed's order ----

	/** Listens on a gevent address string such as {@code "127.0.0.1:7000"}, {@code ":7000"} or {@code "[::1]:0"}. */
	public void setListener(String address) {
		setListenerAddress(Addresses.parse(address));
	}

	/** Listens on {@code address}, bound at {@link BaseServer#start()}. */
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

	/**
	 * Serves on a channel the caller opened and bound; {@link BaseServer#close()} closes it.
	 * @throws IllegalArgumentException when the channel is not bound
	 */
	protected final void setListenerChannel(SelectableChannel channel) {
		SocketAddress bound = requireBound(channel);
		synchronized (this.lifecycle) {
			requireNotStarted("set the listener");
			this.listener = channel;
			this.listenerGiven = true;
			this.address = bound;
		}
	}

	public void setSpawn(Spawn spawn) {
		requireSpawn(spawn);
		synchronized (this.lifecycle) {
			requireNotStarted("change the spawn");
			this.spawn = spawn;
		}
	}

	private static Spawn requireSpawn(Spawn spawn) {
		return Objects.requireNonNull(spawn, "spawn: use Spawn.DEFAULT, Spawn.RAW, Spawn.NONE or a pool");
	}

	public Spawn getSpawn() {
		return this.spawn;
	}

	/** Returns the pool handlers run in, or {@code null} when the spawn has none. */
	public @Nullable Pool getPool() {
		return this.spawn.getPool();
	}

	/** Sets what serves each client; read for every new connection, so it may change while running. */
	public void setHandle(@Nullable H handle) {
		this.handle = handle;
	}

	public @Nullable H getHandle() {
		return this.handle;
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

	/** Returns the host the server is bound to, or is to bind to before start; {@code null} for a Unix socket. */
	public @Nullable String getServerHost() {
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

	/** Returns the listener channel: given, or opened by {@link BaseServer#initSocket()}; {@code null} before that. */
	protected final @Nullable SelectableChannel getListener() {
		return this.listener;
	}

	/** Returns the listener of a started server, which the transport reads from. */
	final SelectableChannel requireListener() {
		return Objects.requireNonNull(this.listener, "listener: the server is not started");
	}

	/** Returns whether the caller gave the listener channel, rather than an address to bind. */
	protected final boolean isListenerGiven() {
		return this.listenerGiven;
	}

	/** Takes the listener a start opened ({@code null} when starting failed), and the address it is bound to. */
	final void listening(@Nullable SelectableChannel listener) {
		this.listener = listener;
		if (listener != null) {
			this.address = localAddress(listener);
		}
	}

	// ---- how to serve: gevent's class attributes ----


	/** The most connections taken per wake-up of the accept thread before it looks at anything else. */
	private volatile int maxAccept = 100;

	/** The first pause after a failed accept or spawn; each further failure doubles it. */
	private volatile Duration minDelay = Duration.ofMillis(10);

	/** The longest pause after failed accepts or spawns. */
	private volatile Duration maxDelay = Duration.ofSeconds(1);

	/** How long {@code stop()} and {@code serveForever()} wait for handlers before killing them. */
	private volatile Duration stopTimeout = Duration.ofSeconds(1);

	/** Whether a full pool accepts and closes new connections (the seed's "dropped") instead of pausing. */
	private volatile boolean dropWhenFull;

	/** The most connections handled at once, whatever the spawn; 0 for no limit. */
	private volatile int maxConnections;

	/** Whether the listener is bound with {@code SO_REUSEADDR}. */
	private volatile boolean reuseAddress = true;

	/** The name of a server no one named. */
	public static final String DEFAULT_NAME = "gserver";

	/** Names the server's threads: {@code <name>[<address>]-accept}. */
	private volatile String name = DEFAULT_NAME;

	/** Whether handlers run on virtual threads where the JVM has them. */
	private volatile boolean virtualThreads = true;

	/** Surrounds each handler run: observations, tracing. */
	private volatile ConnectionObserver connectionObserver = ConnectionObserver.NONE;

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
		this.minDelay = Durations.requireNonNegative("minDelay", minDelay);
	}

	public Duration getMaxDelay() {
		return this.maxDelay;
	}

	public void setMaxDelay(Duration maxDelay) {
		this.maxDelay = Durations.requireNonNegative("maxDelay", maxDelay);
	}

	public Duration getStopTimeout() {
		return this.stopTimeout;
	}

	public void setStopTimeout(Duration stopTimeout) {
		this.stopTimeout = Durations.requireNonNegative("stopTimeout", stopTimeout);
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
		limitsChanged();
	}

	public String getName() {
		return this.name;
	}

	/** Names the server in its thread names and log lines; {@code "gserver"} by default. */
	public void setName(String name) {
		this.name = Objects.requireNonNull(name, "name");
	}

	/** Returns whether handlers run on virtual threads where the JVM has them (21+): true unless set. */
	public boolean isVirtualThreads() {
		return this.virtualThreads;
	}

	/**
	 * Sets whether handlers run on virtual threads where the JVM has them (Java 21+), the default,
	 * or on platform threads (daemon threads, one per handler, or the pool's) whatever the JVM.
	 * Takes effect at the next {@link BaseServer#start()}; on Java 17 handlers are on platform
	 * threads either way.
	 */
	public void setVirtualThreads(boolean virtualThreads) {
		this.virtualThreads = virtualThreads;
	}

	public ConnectionObserver getConnectionObserver() {
		return this.connectionObserver;
	}

	/**
	 * Surrounds each handler run with {@code observer}, on the handler's thread (see
	 * {@link ConnectionObserver}); {@link ConnectionObserver#NONE} by default. Applies to the
	 * connections accepted from then on.
	 */
	public void setConnectionObserver(ConnectionObserver observer) {
		this.connectionObserver = Objects.requireNonNull(observer, "observer");
	}

	public boolean isReuseAddress() {
		return this.reuseAddress;
	}

	/**
	 * Sets {@code SO_REUSEADDR} on the listener, so that a restart can bind while old connections
	 * linger; true by default, as in gevent.
	 */
	public void setReuseAddress(boolean reuseAddress) {
		this.reuseAddress = reuseAddress;
	}

	private void requireNotStarted(String action) {
		if (isStarted()) {
			throw new IllegalStateException("Cannot " + action + " of " + this + " while it is started");
		}
	}

	private static SocketAddress requireBound(SelectableChannel channel) {
		SocketAddress bound = localAddress(Objects.requireNonNull(channel, "channel"));
		if (bound == null) {
			throw new IllegalArgumentException("The listener " + channel + " is not bound: bind it first");
		}
		return bound;
	}

	private static SocketAddress localAddress(SelectableChannel channel) {
		try {
			return ((NetworkChannel) channel).getLocalAddress();
		}
		catch (IOException ex) {
			throw new IllegalArgumentException("Cannot read the address of listener " + channel, ex);
		}
	}

	/** Returns whether the server was started and has not been closed since. */
	public abstract boolean isStarted();

	/** Called when a limit changed, so that a server waiting at the old one looks again. */
	abstract void limitsChanged();

}
