package dev.gserver.autoconfigure;

import java.time.Duration;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * How gserver spends {@code spring.lifecycle.timeout-per-shutdown-phase}, after which Spring stops
 * waiting for it: first the shutdown delay, then each server's stop timeout, then a last
 * allowance to kill what is left. What does not fit is cut, with a warning at start naming the
 * properties.
 */
final class ShutdownBudget {

	private static final Log logger = LogFactory.getLog(ShutdownBudget.class);

	/** Left of the shutdown phase for killing the handlers a stop timed out on. */
	static final Duration KILL_ALLOWANCE = Duration.ofSeconds(1);

	private final Duration phase;

	private final Duration shutdownDelay;

	/**
	 * @param phase {@code spring.lifecycle.timeout-per-shutdown-phase}
	 * @param shutdownDelay {@code gserver.shutdown-delay}, as configured
	 */
	ShutdownBudget(Duration phase, Duration shutdownDelay) {
		this.phase = phase;
		this.shutdownDelay = shutdownDelay;
	}

	/** Returns the shutdown delay, cut (with a warning) to what the phase leaves before the kill allowance. */
	Duration fitShutdownDelay() {
		Duration room = atLeastZero(this.phase.minus(KILL_ALLOWANCE));
		if (this.shutdownDelay.compareTo(room) <= 0) {
			return this.shutdownDelay;
		}
		logger.warn("gserver.shutdown-delay (" + this.shutdownDelay + ") is cut to " + room
				+ ", within spring.lifecycle.timeout-per-shutdown-phase (" + this.phase + ") less " + KILL_ALLOWANCE
				+ " to kill what is left, which leaves the servers no time to stop; raise"
				+ " spring.lifecycle.timeout-per-shutdown-phase or lower gserver.shutdown-delay");
		return room;
	}

	/**
	 * Returns the stop timeout that fits after the shutdown delay, cut (with a warning naming
	 * {@code property}) when the one given does not.
	 */
	Duration fitStopTimeout(Duration stopTimeout, String server, String property) {
		Duration budget = atLeastZero(this.phase.minus(KILL_ALLOWANCE).minus(this.shutdownDelay));
		if (stopTimeout.compareTo(budget) <= 0) {
			return stopTimeout;
		}
		String delay = this.shutdownDelay.isZero() ? ""
				: " after gserver.shutdown-delay (" + this.shutdownDelay + ")";
		logger.warn("gserver '" + server + "': its stop timeout (" + property + " = " + stopTimeout + ") is cut to "
				+ budget + ", within spring.lifecycle.timeout-per-shutdown-phase (" + this.phase + ")" + delay + " less "
				+ KILL_ALLOWANCE + " to kill what is left; raise spring.lifecycle.timeout-per-shutdown-phase or lower the"
				+ " stop timeout" + (this.shutdownDelay.isZero() ? "" : " or the shutdown delay"));
		return budget;
	}

	private static Duration atLeastZero(Duration duration) {
		return duration.isNegative() ? Duration.ZERO : duration;
	}

}
