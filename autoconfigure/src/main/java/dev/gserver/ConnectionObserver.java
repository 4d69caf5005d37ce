package dev.gserver;

import org.jspecify.annotations.Nullable;

import dev.gserver.ServerEventListener.HandlerOutcome;

/**
 * Surrounds each handler run of a server: the hook for observations and tracing
 * ({@code dev.gserver.observation} holds the Micrometer one, which the Spring Boot starter installs).
 * <p>
 * A {@link ServerEventListener} is told what happened; an observer is open while it happens.
 * {@link #connectionStarted} and {@link Scope#connectionFinished} run on the handler's own thread,
 * so that what the observer puts in thread-local scope (a current span, a current observation) is
 * seen by the handler and by whatever it calls. A connection that fails before its handler (a
 * refused PROXY header, a failed TLS handshake) is not observed: the meters count those.
 * <p>
 * An exception thrown by an observer is logged and otherwise ignored: the handler runs anyway.
 */
@FunctionalInterface
public interface ConnectionObserver {

	/** Observes nothing, at no cost: a server's observer unless one is set. */
	ConnectionObserver NONE = (serverName, client) -> Scope.NONE;

	/**
	 * A handler is about to serve {@code client}, which is readied (its PROXY header read, its
	 * TLS handshake done).
	 * @param serverName the server's {@linkplain BaseServer#getName() name}
	 * @param client the client: a {@link Connection} for a stream server, whose remote address is the
	 * PROXY header's when there was one
	 * @return what to call when the handler has ended and the client is closed; never {@code null}
	 */
	Scope connectionStarted(String serverName, Client client);

	/** One observed handler run, ended on the thread that started it. */
	@FunctionalInterface
	interface Scope {

		/** Ends nothing. */
		Scope NONE = (outcome, error) -> {
		};

		/**
		 * The handler ended and its client was closed.
		 * @param outcome how it ended, as the {@code gserver.handler.duration} timer counts it
		 * @param error what the handler threw, or {@code null}; thrown with an outcome other than
		 * {@link HandlerOutcome#ERROR}, it is no failure of the handler (the server closed the
		 * connection, or killed the handler)
		 */
		void connectionFinished(HandlerOutcome outcome, @Nullable Throwable error);

	}

}
