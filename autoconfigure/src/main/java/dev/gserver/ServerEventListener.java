package dev.gserver;

import java.time.Duration;

/**
 * What a server tells the outside world as it runs: the hook for metrics and tests.
 * <p>
 * Calls come from the accept thread and from handler threads, concurrently; an implementation
 * must be thread-safe and quick, and must not block. An exception thrown by a listener is
 * logged and otherwise ignored. Every method does nothing by default.
 */
public interface ServerEventListener {

	/** A client connection was accepted (before its handler is spawned). */
	default void connectionAccepted() {
	}

	/**
	 * {@link #connectionRejected(String)}'s reason: the pool was full (or the server handled
	 * {@link BaseServer#getMaxConnections()} connections) and the server drops connections when full.
	 */
	String REJECTED_POOL_FULL = "pool-full";

	/** {@link #connectionRejected(String)}'s reason: spawning the handler failed (also reported by {@link #spawnFailed}). */
	String REJECTED_SPAWN_FAILED = "spawn-failed";

	/**
	 * {@link #connectionRejected(String)}'s reason: the client's address already had
	 * {@link StreamServer#getMaxConnectionsPerAddress()} connections open.
	 */
	String REJECTED_PER_ADDRESS = "per-address";

	/**
	 * An accepted connection was closed without being handled.
	 * @param reason {@link #REJECTED_POOL_FULL}, {@link #REJECTED_SPAWN_FAILED} or
	 * {@link #REJECTED_PER_ADDRESS}
	 */
	default void connectionRejected(String reason) {
	}

	/**
	 * {@link #connectionTimedOut(String)}'s reason: the connection made no progress either way for
	 * the idle timeout (or the read timeout its handler set): no byte came in while the handler
	 * read, or none went out while it wrote.
	 */
	String TIMED_OUT_IDLE = "idle";

	/** {@link #connectionTimedOut(String)}'s reason: a write stayed blocked longer than the write timeout. */
	String TIMED_OUT_WRITE = "write";

	/**
	 * The server closed a connection because one of its deadlines passed; the handler's blocked
	 * read or write then fails, and that failure is not counted as an error. A frame that took
	 * longer than its frame timeout is no such close: it is a {@link #frameRejected(String)}
	 * {@code stalled}, and the connection stays open for the handler to answer.
	 * @param reason {@link #TIMED_OUT_IDLE} or {@link #TIMED_OUT_WRITE}
	 */
	default void connectionTimedOut(String reason) {
	}

	/** A handler started serving a connection. */
	default void handlerStarted() {
	}

	/**
	 * A handler ended and its connection was closed.
	 * @param outcome how it ended
	 * @param durationNanos how long it ran
	 */
	default void handlerFinished(HandlerOutcome outcome, long durationNanos) {
	}

	/**
	 * Accepting a connection failed.
	 * @param error what {@code accept} threw
	 * @param fatal whether the error closed the server (see {@link BaseServer#isFatalError(Throwable)})
	 * @param delay how long accepting pauses before the next try; zero when fatal
	 */
	default void acceptFailed(Throwable error, boolean fatal, Duration delay) {
	}

	/**
	 * Spawning the handler of an accepted connection failed; the connection was closed.
	 * @param error what the spawn threw
	 * @param delay how long accepting pauses before the next try
	 */
	default void spawnFailed(Throwable error, Duration delay) {
	}

	/**
	 * A client failed its TLS handshake and was closed; its handler never ran. Or, with the reason
	 * {@code renegotiation}, a secured client asked for another handshake and was closed under its
	 * handler.
	 * @param reason why, in a few fixed words: {@code timeout}, {@code closed}, {@code certificate},
	 * {@code protocol}, {@code renegotiation} or {@code other}
	 */
	default void tlsHandshakeFailed(String reason) {
	}

	/**
	 * A client's TLS handshake ended, secured or failed; a failed one is also reported, with its
	 * reason, by {@link #tlsHandshakeFailed(String)}.
	 * @param succeeded whether the client was secured
	 * @param durationNanos how long the handshake took
	 */
	default void tlsHandshakeFinished(boolean succeeded, long durationNanos) {
	}

	/**
	 * A client's PROXY protocol header was refused and the client closed; its handler never ran.
	 * @param reason why, in a few fixed words: {@code missing}, {@code untrusted}, {@code malformed},
	 * {@code oversized}, {@code unsupported}, {@code timeout} or {@code closed}
	 */
	default void proxyHeaderRejected(String reason) {
	}

	/**
	 * A frame from a client was refused by a codec (or a handler's own parser).
	 * @param reason why, in a few fixed words: {@code too-long}, {@code malformed},
	 * {@code stalled} or {@code truncated} for gserver's codecs
	 */
	default void frameRejected(String reason) {
	}

	/** The pool became full and the server stopped accepting until a slot frees. */
	default void poolSaturated() {
	}

	/** Accepting was paused by {@link BaseServer#stopAccepting()}: an operator's drain, not back-pressure. */
	default void acceptingPaused() {
	}

	/** Accepting resumed with {@link BaseServer#startAccepting()}. */
	default void acceptingResumed() {
	}

	/** The server closed its listener: by {@code close()}, {@code stop()} or a fatal error. */
	default void closed() {
	}

	/** How a handler ended. */
	enum HandlerOutcome {

		/** The handler returned. */
		SUCCESS,

		/** The handler threw, other than for a {@link #DISCONNECTED} client. */
		ERROR,

		/** The server killed the handler at stop. */
		KILLED,

		/**
		 * The client went away while the handler read or wrote: it reset the connection, or closed it
		 * while the handler was still writing (a broken pipe). Not the server's error.
		 */
		DISCONNECTED

	}

}
