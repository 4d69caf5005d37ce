package dev.gserver;

import java.time.Duration;
import java.util.Objects;

/**
 * The settings every server shares, gevent's class attributes: how the accept loop takes
 * connections and backs off, how long a stop waits, and the server's name. Plain values, read
 * by the server as it runs; see {@link BaseServer}.
 */
abstract class ServerSettings {

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

	/** Names the server's threads: {@code <name>[<address>]-accept}. */
	private volatile String name = "gserver";

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

	/** Called when a limit changed, so that a server waiting at the old one looks again. */
	abstract void limitsChanged();

}
