package dev.gserver;

import java.time.Duration;

/** The checks and conversions of the server's {@link Duration} settings, in one place. */
final class Durations {

	private Durations() {
	}

	/** Returns {@code value}, or throws naming the setting when it is null or negative. */
	static Duration requireNonNegative(String name, Duration value) {
		if (value == null || value.isNegative()) {
			throw new IllegalArgumentException(name + " must not be negative, got " + value);
		}
		return value;
	}

	/** Returns {@code value}, or throws naming the setting when it is null, zero or negative. */
	static Duration requirePositive(String name, Duration value) {
		if (requireNonNegative(name, value).isZero()) {
			throw new IllegalArgumentException(name + " must be positive, got " + value);
		}
		return value;
	}

	/** Returns {@code value} as a socket timeout: whole milliseconds, at most {@code Integer.MAX_VALUE}. */
	static int toSocketTimeout(Duration value) {
		return (int) Math.min(Integer.MAX_VALUE, value.toMillis());
	}

	/** Returns {@code value} for a log line: {@code 10s}, {@code 1500ms}. */
	static String format(Duration value) {
		long millis = value.toMillis();
		return (millis % 1000 == 0) ? (millis / 1000) + "s" : millis + "ms";
	}

}
