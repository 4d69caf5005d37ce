package dev.gserver.observation;

import io.micrometer.common.KeyValue;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;

/**
 * Observes each request a handler serves within its connection: one Micrometer
 * {@link Observation} per call, a child of the connection's {@code gserver.connection}
 * observation (so, with Micrometer Tracing, a child span of the connection's span). Low-cardinality
 * keys: {@code name} (the server's name; {@code unknown} outside an observed connection) and
 * {@code command}, which the handler gives and must keep to a small set of values: name an
 * unknown command {@code unknown}, never echo what a client sent.
 * <pre>{@code
 * RequestObservations requests = new RequestObservations(registry, "redis.command");
 * ...
 * requests.observe("GET", () -> get(command, writer));
 * }</pre>
 * With a no-op registry (no handler registered, or {@link ObservationRegistry#NOOP}) a request
 * costs a check and the call. Observations are per thread: run the request on the handler's
 * thread.
 */
public final class RequestObservations {

	/** The observation name when the handler gives none. */
	public static final String DEFAULT_NAME = "gserver.request";

	private static final String UNKNOWN_SERVER = "unknown";

	private final ObservationRegistry registry;

	private final String name;

	/** Observes requests as {@value #DEFAULT_NAME}. */
	public RequestObservations(ObservationRegistry registry) {
		this(registry, DEFAULT_NAME);
	}

	/**
	 * @param registry where the observations go: the application's, or {@link ObservationRegistry#NOOP}
	 * @param name the observations' name, and the name of the meters Micrometer makes of them
	 */
	public RequestObservations(ObservationRegistry registry, String name) {
		this.registry = registry;
		this.name = name;
	}

	/**
	 * Runs {@code request} as one observation; what it throws marks the observation as failed
	 * and is thrown on.
	 * @param command the request's kind, a low-cardinality value
	 */
	public <E extends Throwable> void observe(String command, Observation.CheckedRunnable<E> request) throws E {
		if (this.registry.isNoop()) {
			request.run();
			return;
		}
		observation(command).observeChecked(request);
	}

	/** Runs {@code request} as one observation and returns what it returns; see {@link #observe(String, Observation.CheckedRunnable)}. */
	public <T, E extends Throwable> T observe(String command, Observation.CheckedCallable<T, E> request) throws E {
		if (this.registry.isNoop()) {
			return request.call();
		}
		return observation(command).observeChecked(request);
	}

	private Observation observation(String command) {
		return Observation.createNotStarted(this.name, () -> context(command), this.registry);
	}

	private GServerRequestContext context(String command) {
		Observation current = this.registry.getCurrentObservation();
		String server = (current != null && current.getContext() instanceof GServerConnectionContext connection)
				? connection.getServerName() : UNKNOWN_SERVER;
		GServerRequestContext context = new GServerRequestContext(server, command);
		context.addLowCardinalityKeyValue(KeyValue.of("name", server));
		context.addLowCardinalityKeyValue(KeyValue.of("command", command));
		return context;
	}

}
