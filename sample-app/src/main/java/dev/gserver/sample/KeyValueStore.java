package dev.gserver.sample;

import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

import org.springframework.stereotype.Component;

/** Binary-safe keys and values in memory, with optional expiry, shared by every connection. */
@Component
public class KeyValueStore {

	private final ConcurrentMap<Key, Entry> entries = new ConcurrentHashMap<>();

	byte[] get(byte[] key) {
		Entry entry = live(new Key(key));
		return (entry != null) ? entry.value : null;
	}

	/** @param expiresAtNanos {@link System#nanoTime()} at which the key expires; 0 for never */
	void set(byte[] key, byte[] value, long expiresAtNanos) {
		this.entries.put(new Key(key), new Entry(value, expiresAtNanos));
	}

	boolean delete(byte[] key) {
		Entry removed = this.entries.remove(new Key(key));
		return removed != null && !removed.isExpired(System.nanoTime());
	}

	boolean exists(byte[] key) {
		return live(new Key(key)) != null;
	}

	/**
	 * Adds one to the integer stored at {@code key} (0 when absent), atomically.
	 * @throws NumberFormatException when the value is not an integer, or the result would overflow
	 */
	long increment(byte[] key) {
		long[] result = new long[1];
		this.entries.compute(new Key(key), (k, entry) -> {
			boolean absent = entry == null || entry.isExpired(System.nanoTime());
			long current = absent ? 0 : parseInteger(entry.value);
			result[0] = Math.addExact(current, 1);
			byte[] value = Long.toString(result[0]).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
			return new Entry(value, absent ? 0 : entry.expiresAtNanos);
		});
		return result[0];
	}

	/**
	 * Parses an integer as Redis does: an optional minus and digits without a leading zero, so
	 * that "+5", "05" and "-0" are not integers.
	 * @throws NumberFormatException otherwise, or when it does not fit in 64 bits
	 */
	static long parseInteger(byte[] bytes) {
		String text = new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1);
		if (!text.matches("-?(0|[1-9][0-9]*)") || text.equals("-0")) {
			throw new NumberFormatException("not an integer: " + text);
		}
		return Long.parseLong(text);
	}

	int size() {
		long now = System.nanoTime();
		this.entries.entrySet().removeIf((each) -> each.getValue().isExpired(now));
		return this.entries.size();
	}

	void clear() {
		this.entries.clear();
	}

	private Entry live(Key key) {
		Entry entry = this.entries.get(key);
		if (entry != null && entry.isExpired(System.nanoTime())) {
			this.entries.remove(key, entry);
			return null;
		}
		return entry;
	}

	private static final class Key {

		private final byte[] bytes;

		private final int hash;

		Key(byte[] bytes) {
			this.bytes = bytes;
			this.hash = Arrays.hashCode(bytes);
		}

		@Override
		public boolean equals(Object other) {
			return other instanceof Key && Arrays.equals(this.bytes, ((Key) other).bytes);
		}

		@Override
		public int hashCode() {
			return this.hash;
		}

	}

	private static final class Entry {

		final byte[] value;

		final long expiresAtNanos;

		Entry(byte[] value, long expiresAtNanos) {
			this.value = value;
			this.expiresAtNanos = expiresAtNanos;
		}

		boolean isExpired(long now) {
			return this.expiresAtNanos != 0 && now - this.expiresAtNanos >= 0;
		}

	}

}
