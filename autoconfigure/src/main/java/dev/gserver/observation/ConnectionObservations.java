package dev.gserver.observation;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import org.jspecify.annotations.Nullable;

import dev.gserver.Client;
import dev.gserver.ConnectionObserver;
import dev.gserver.ServerEventListener.HandlerOutcome;

/**
 * Makes each handler run a Micrometer {@link Observation} named {@code gserver.connection}, in
 * scope on the handler's thread while it runs: with Micrometer Tracing, a span, and the parent of
 * what the handler observes ({@link RequestObservations}). The Spring Boot starter installs one on
 * every TCP server when the application has an {@link ObservationRegistry}; without the starter:
 * <pre>{@code
 * server.setConnectionObserver(new ConnectionObservations(registry, null));
 * }</pre>
 * With a no-op registry (no handler registered) a connection costs a check and nothing else.
 */
public class ConnectionObservations implements ConnectionObserver {

	private final ObservationRegistry registry;

	private final @Nullable GServerConnectionObservationConvention convention;

	/**
	 * @param registry where the observations go
	 * @param convention replaces {@link DefaultGServerConnectionObservationConvention}, or {@code null}
	 */
	public ConnectionObservations(ObservationRegistry registry, @Nullable GServerConnectionObservationConvention convention) {
		this.registry = registry;
		this.convention = convention;
	}

	@Override
	public Scope connectionStarted(String serverName, Client client) {
		if (this.registry.isNoop()) {
			return Scope.NONE;
		}
		GServerConnectionContext context = new GServerConnectionContext(serverName, client);
		Observation observation = Observation
			.createNotStarted(this.convention, DefaultGServerConnectionObservationConvention.INSTANCE, () -> context,
					this.registry)
			.start();
		if (observation.isNoop()) {
			// turned off (management.observations.enable.gserver.connection=false): hold nothing while the connection lives
			return Scope.NONE;
		}
		Observation.Scope scope = observation.openScope();
		return (outcome, error) -> {
			scope.close();
			context.setOutcome(outcome);
			if (outcome == HandlerOutcome.ERROR && error != null) {
				observation.error(error);
			}
			observation.stop();
		};
	}

	@Override
	public String toString() {
		return "ConnectionObservations[" + this.registry + "]";
	}

}
