package dev.gserver.autoconfigure;

import java.util.Collection;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.context.ApplicationEventPublisher;

import dev.gserver.AcceptState;
import dev.gserver.BaseServer;
import dev.gserver.ServerEventListener;

/**
 * The one place that decides what gserver does to the application's readiness: it refuses
 * traffic while gserver stops (from the start of a shutdown delay on), and while an operator has
 * paused every server, so that a load balancer probing {@code /actuator/health/readiness} moves
 * away; it accepts traffic again once neither holds, but only if gserver was the one that refused
 * it (a web context closing, or the application itself, may refuse traffic too, and keep doing so).
 */
final class GServerReadiness implements ServerEventListener {

	private final Collection<BaseServer<?, ?>> servers;

	private final ApplicationEventPublisher publisher;

	private final @Nullable ApplicationAvailability availability;

	private boolean stopping;

	/** Whether gserver turned readiness to refusing traffic, so that it turns it back. */
	private boolean refused;

	/**
	 * @param servers the servers whose operator pause refuses traffic, all of them paused
	 * @param publisher where readiness changes are published
	 * @param availability the application's availability, or {@code null} when it has none
	 */
	GServerReadiness(Collection<BaseServer<?, ?>> servers, ApplicationEventPublisher publisher,
			@Nullable ApplicationAvailability availability) {
		this.servers = servers;
		this.publisher = publisher;
		this.availability = availability;
	}

	/** gserver stops: refuse traffic now, whatever the servers do meanwhile. */
	synchronized void stopping() {
		this.stopping = true;
		decide();
	}

	/** gserver (re)started its servers. */
	synchronized void started() {
		this.stopping = false;
		decide();
	}

	@Override
	public synchronized void acceptingPaused() {
		decide();
	}

	@Override
	public synchronized void acceptingResumed() {
		decide();
	}

	private void decide() {
		boolean refuse = this.stopping || allPaused();
		if (refuse && !this.refused) {
			if (this.availability == null || this.availability.getReadinessState() != ReadinessState.REFUSING_TRAFFIC) {
				AvailabilityChangeEvent.publish(this.publisher, this, ReadinessState.REFUSING_TRAFFIC);
				this.refused = true;
			}
		}
		else if (!refuse && this.refused) {
			this.refused = false;
			AvailabilityChangeEvent.publish(this.publisher, this, ReadinessState.ACCEPTING_TRAFFIC);
		}
	}

	/** Whether an operator paused every server (a full pool or a back-off is back-pressure, not a drain). */
	private boolean allPaused() {
		return !this.servers.isEmpty()
				&& this.servers.stream().allMatch((server) -> server.getAcceptState() == AcceptState.PAUSED);
	}

}
