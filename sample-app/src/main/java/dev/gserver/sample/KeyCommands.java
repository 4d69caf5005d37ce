package dev.gserver.sample;

import java.io.IOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongPredicate;
import java.util.function.Predicate;

import org.jspecify.annotations.Nullable;

import dev.gserver.codec.RespWriter;

/** The keyspace commands: DEL, EXISTS, EXPIRE, PEXPIRE, TTL, PTTL, PERSIST, TYPE, KEYS and SCAN. */
final class KeyCommands {

	private static final BigInteger UNSIGNED_LONG_MAX = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

	private final KeyValueStore store;

	KeyCommands(KeyValueStore store) {
		this.store = store;
	}

	/** DEL and EXISTS count every argument, so a key named twice counts twice for EXISTS. */
	void delOrExists(List<byte[]> command, RespWriter writer, boolean delete) throws IOException {
		long count = 0;
		for (int i = 1; i < command.size(); i++) {
			byte[] key = command.get(i);
			if (delete ? this.store.delete(key) : this.store.exists(key)) {
				count++;
			}
		}
		writer.integer(count);
	}

	/**
	 * EXPIRE and PEXPIRE key time [NX | XX | GT | LT], as Redis 7's expireGenericCommand: options
	 * first, then the time, whose absolute value in milliseconds of the wall clock must fit in 64
	 * bits; a time already past deletes the key.
	 */
	void expire(List<byte[]> command, RespWriter writer, boolean seconds) throws IOException {
		boolean nx = false;
		boolean xx = false;
		boolean gt = false;
		boolean lt = false;
		for (int i = 3; i < command.size(); i++) {
			String option = Arguments.lowerCase(command.get(i));
			switch (option) {
				case "nx" -> nx = true;
				case "xx" -> xx = true;
				case "gt" -> gt = true;
				case "lt" -> lt = true;
				default -> {
					writer.error("ERR Unsupported option " + Arguments.text(command.get(i)));
					return;
				}
			}
		}
		if (nx && (xx || gt || lt)) {
			writer.error("ERR NX and XX, GT or LT options at the same time are not compatible");
			return;
		}
		if (gt && lt) {
			writer.error("ERR GT and LT options at the same time are not compatible");
			return;
		}
		Long time = Arguments.integer(command.get(2), writer);
		if (time == null) {
			return;
		}
		long millis;
		try {
			millis = seconds ? Math.multiplyExact(time, 1000) : time;
			Math.addExact(millis, System.currentTimeMillis());
		}
		catch (ArithmeticException ex) {
			writer.error("ERR invalid expire time in '" + (seconds ? "expire" : "pexpire") + "' command");
			return;
		}
		long expiresAt = KeyValueStore.now() + millis;
		boolean onlyNew = nx;
		boolean onlyExisting = xx;
		boolean onlyGreater = gt;
		boolean onlyLess = lt;
		// a key without an expiry counts as one that never expires: GT always fails, LT always holds
		LongPredicate allowed = (current) -> {
			boolean none = current == KeyValueStore.NO_EXPIRY;
			return !(onlyNew && !none) && !(onlyExisting && none) && !(onlyGreater && (none || expiresAt <= current))
					&& !(onlyLess && !none && expiresAt >= current);
		};
		writer.integer(this.store.expire(command.get(1), expiresAt, allowed) ? 1 : 0);
	}

	/** TTL (seconds, rounded to the nearest as Redis does) and PTTL: -1 without expiry, -2 without the key. */
	void ttl(List<byte[]> command, RespWriter writer, boolean seconds) throws IOException {
		long millis = this.store.timeToLive(command.get(1));
		writer.integer((millis < 0 || !seconds) ? millis : (millis + 500) / 1000);
	}

	void persist(List<byte[]> command, RespWriter writer) throws IOException {
		writer.integer(this.store.persist(command.get(1)) ? 1 : 0);
	}

	/** Every value here is a string. */
	void type(List<byte[]> command, RespWriter writer) throws IOException {
		writer.simple(this.store.exists(command.get(1)) ? "string" : "none");
	}

	void keys(List<byte[]> command, RespWriter writer) throws IOException {
		List<byte[]> keys = this.store.keys(filter(command.get(1)));
		writer.array(keys.size());
		for (byte[] key : keys) {
			writer.bulk(key);
		}
	}

	/** SCAN cursor [MATCH pattern] [COUNT count] [TYPE type], parsed as Redis 7.0 parses it. */
	void scan(List<byte[]> command, RespWriter writer) throws IOException {
		BigInteger cursor = cursor(command.get(1));
		if (cursor == null) {
			writer.error("ERR invalid cursor");
			return;
		}
		long count = 10;
		Predicate<byte[]> filter = (key) -> true;
		boolean wrongType = false;
		for (int i = 2; i < command.size(); i += 2) {
			boolean hasValue = i + 1 < command.size();
			if (Arguments.is(command.get(i), "count") && hasValue) {
				Long value = Arguments.integer(command.get(i + 1), writer);
				if (value == null) {
					return;
				}
				if (value < 1) {
					writer.error(Arguments.SYNTAX_ERROR);
					return;
				}
				count = value;
			}
			else if (Arguments.is(command.get(i), "match") && hasValue) {
				filter = filter(command.get(i + 1));
			}
			else if (Arguments.is(command.get(i), "type") && hasValue) {
				wrongType = !Arguments.is(command.get(i + 1), "string");
			}
			else {
				writer.error(Arguments.SYNTAX_ERROR);
				return;
			}
		}
		List<byte[]> found = new ArrayList<>();
		// a cursor past the last position (only a client's own invention) ends the iteration
		long next = (cursor.compareTo(BigInteger.valueOf(KeyValueStore.SCAN_END)) >= 0) ? 0
				: this.store.scan(cursor.longValue(), count, filter, found);
		if (wrongType) {
			found.clear();
		}
		writer.array(2);
		writer.bulk(Long.toString(next));
		writer.array(found.size());
		for (byte[] key : found) {
			writer.bulk(key);
		}
	}

	private static Predicate<byte[]> filter(byte[] pattern) {
		return Glob.matchesEverything(pattern) ? (key) -> true : (key) -> Glob.matches(pattern, key);
	}

	/**
	 * The cursor as C's {@code strtoul} reads it in Redis's parseScanCursorOrReply: an optional
	 * sign (a minus wraps around), digits, nothing else, within 64 bits; an empty cursor is 0.
	 * Returns {@code null} for an invalid one.
	 */
	static @Nullable BigInteger cursor(byte[] argument) {
		String text = Arguments.text(argument);
		if (text.isEmpty()) {
			return BigInteger.ZERO;
		}
		if (!text.matches("[+-]?[0-9]+")) {
			return null;
		}
		boolean negative = text.charAt(0) == '-';
		BigInteger value = new BigInteger(text.replaceFirst("^[+-]", ""));
		if (value.compareTo(UNSIGNED_LONG_MAX) > 0) {
			return null;
		}
		return (negative && value.signum() != 0) ? UNSIGNED_LONG_MAX.add(BigInteger.ONE).subtract(value) : value;
	}

}
