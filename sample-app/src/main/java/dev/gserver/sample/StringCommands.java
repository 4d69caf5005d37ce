package dev.gserver.sample;

import java.io.IOException;
import java.util.List;
import java.util.Objects;

import dev.gserver.codec.RespWriter;

/** The string commands: GET, SET, INCR, INCRBY, DECR, DECRBY, MGET, MSET, SETNX, APPEND, STRLEN. */
final class StringCommands {

	private final KeyValueStore store;

	StringCommands(KeyValueStore store) {
		this.store = store;
	}

	void get(List<byte[]> command, RespWriter writer) throws IOException {
		writer.bulk(this.store.get(command.get(1)));
	}

	/**
	 * SET key value [NX | XX] [GET] [EX s | PX ms | EXAT unix-s | PXAT unix-ms | KEEPTTL], parsed as
	 * Redis 7.0's parseExtendedStringArgumentsOrReply parses it: an option may repeat (the last time
	 * wins), but NX with XX, or two kinds of expiry, is a syntax error.
	 */
	void set(List<byte[]> command, RespWriter writer) throws IOException {
		boolean nx = false;
		boolean xx = false;
		boolean get = false;
		boolean keepTtl = false;
		String unit = null; // "ex", "px", "exat" or "pxat"
		byte[] time = null;
		for (int i = 3; i < command.size(); i++) {
			String option = Arguments.lowerCase(command.get(i));
			boolean hasNext = i + 1 < command.size();
			if (option.equals("nx") && !xx) {
				nx = true;
			}
			else if (option.equals("xx") && !nx) {
				xx = true;
			}
			else if (option.equals("get")) {
				get = true;
			}
			else if (option.equals("keepttl") && unit == null) {
				keepTtl = true;
			}
			else if ((option.equals("ex") || option.equals("px") || option.equals("exat") || option.equals("pxat"))
					&& !keepTtl && (unit == null || unit.equals(option)) && hasNext) {
				unit = option;
				time = command.get(++i);
			}
			else {
				writer.error(Arguments.SYNTAX_ERROR);
				return;
			}
		}
		long expiresAt = KeyValueStore.NO_EXPIRY;
		if (unit != null) {
			// set together with unit
			Long amount = Arguments.integer(Objects.requireNonNull(time), writer);
			if (amount == null) {
				return;
			}
			// as Redis's getExpireMillisecondsOrReply: positive, and the absolute time must fit in 64 bits
			long now = System.currentTimeMillis();
			long millis;
			try {
				if (amount <= 0) {
					throw new ArithmeticException();
				}
				millis = unit.startsWith("e") ? Math.multiplyExact(amount, 1000) : amount;
				long absolute = unit.endsWith("at") ? millis : Math.addExact(millis, now);
				millis = absolute - now;
			}
			catch (ArithmeticException ex) {
				writer.error("ERR invalid expire time in 'set' command");
				return;
			}
			// an absolute time already past stores a key that is expired at once, as in Redis
			expiresAt = KeyValueStore.now() + millis;
		}
		if (!nx && !xx && !get && !keepTtl) {
			this.store.set(command.get(1), command.get(2), expiresAt);
			writer.ok();
			return;
		}
		KeyValueStore.SetOutcome outcome = this.store.set(command.get(1), command.get(2), expiresAt, keepTtl,
				nx ? Boolean.FALSE : (xx ? Boolean.TRUE : null));
		if (get) {
			writer.bulk(outcome.previous());
		}
		else if (outcome.stored()) {
			writer.ok();
		}
		else {
			writer.nullValue();
		}
	}

	/** INCR, INCRBY, DECR and DECRBY: {@code sign} is 1 to add, -1 to subtract. */
	void incrementBy(List<byte[]> command, RespWriter writer, int sign) throws IOException {
		long increment = sign;
		if (command.size() == 3) {
			Long amount = Arguments.integer(command.get(2), writer);
			if (amount == null) {
				return;
			}
			if (sign < 0 && amount == Long.MIN_VALUE) {
				writer.error("ERR decrement would overflow");
				return;
			}
			increment = sign * amount;
		}
		try {
			writer.integer(this.store.increment(command.get(1), increment));
		}
		catch (NumberFormatException ex) {
			writer.error(Arguments.NOT_AN_INTEGER);
		}
		catch (ArithmeticException ex) {
			writer.error("ERR increment or decrement would overflow");
		}
	}

	void mget(List<byte[]> command, RespWriter writer) throws IOException {
		writer.array(command.size() - 1);
		for (int i = 1; i < command.size(); i++) {
			writer.bulk(this.store.get(command.get(i)));
		}
	}

	/**
	 * MSET key value [key value ...]. Each key is set atomically, but unlike Redis, the keys are
	 * not set all at once: a reader may see some set and others not yet.
	 */
	void mset(List<byte[]> command, RespWriter writer) throws IOException {
		if (command.size() % 2 == 0) {
			Arguments.wrongArity(writer, "mset");
			return;
		}
		for (int i = 1; i < command.size(); i += 2) {
			this.store.set(command.get(i), command.get(i + 1), KeyValueStore.NO_EXPIRY);
		}
		writer.ok();
	}

	void setnx(List<byte[]> command, RespWriter writer) throws IOException {
		writer.integer(this.store.setIfAbsent(command.get(1), command.get(2)) ? 1 : 0);
	}

	void append(List<byte[]> command, RespWriter writer) throws IOException {
		writer.integer(this.store.append(command.get(1), command.get(2)));
	}

	void strlen(List<byte[]> command, RespWriter writer) throws IOException {
		byte[] value = this.store.get(command.get(1));
		writer.integer((value != null) ? value.length : 0);
	}

}
