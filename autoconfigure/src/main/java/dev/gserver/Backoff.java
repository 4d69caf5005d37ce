package dev.gserver;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The pause after failed accepts or spawns: it starts at {@code minDelay}, doubles with each
 * further failure up to {@code maxDelay}, and starts over after a success. Used by the accept
 * thread only.
 */
final class Backoff {

	private final BaseServer<?, ?> server;

	private long delayNanos;

	private long pauseEndsNanos;

	private boolean pausing;

	Backoff(BaseServer<?, ?> server) {
		this.server = server;
		reset();
	}

	/** Starts a pause for the current delay and doubles the delay for the next failure; returns the pause. */
	Duration pause() {
		long delay = this.delayNanos;
		this.pausing = true;
		this.pauseEndsNanos = System.nanoTime() + delay;
		this.delayNanos = Math.min(this.server.getMaxDelay().toNanos(), Math.max(delay * 2, 1));
		return Duration.ofNanos(delay);
	}

	/** After a success: the next failure pauses for {@code minDelay} again. */
	void reset() {
		this.delayNanos = this.server.getMinDelay().toNanos();
		this.pausing = false;
	}

	/** Returns how many milliseconds of the pause are left, at least 1 while it lasts; 0 once it is over. */
	long remainingMillis() {
		if (!this.pausing) {
			return 0;
		}
		long left = this.pauseEndsNanos - System.nanoTime();
		if (left <= 0) {
			this.pausing = false;
			return 0;
		}
		return Math.max(1, TimeUnit.NANOSECONDS.toMillis(left));
	}

}
