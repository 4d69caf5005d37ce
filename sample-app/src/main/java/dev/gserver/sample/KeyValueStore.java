package dev.gserver.sample;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.function.Predicate;

import org.jspecify.annotations.Nullable;

import org.springframework.stereotype.Component;

/**
 * Binary-safe keys and values in memory, with optional expiry, shared by every connection.
 * <p>
 * Expiry times are milliseconds of a monotonic clock ({@link #now()}), so that a change of the
 * wall clock neither expires nor revives keys; a key is expired once the clock has passed its
 * time, as Redis compares ({@code now > when}). Expired keys are removed when they are next
 * touched.
 * <p>
 * Besides the map, every key is kept in a sorted set in its {@linkplain Key#position() scan
 * position}, so that SCAN can go on from a cursor in O(COUNT) and a key present for a whole
 * iteration is returned whatever is added or removed meanwhile. The set is changed only inside
 * the map's atomic {@code compute} of that key, so the two never disagree for long.
 */
@Component
public class KeyValueStore {

	/** The expiry of a key that has none, as Redis's {@code getExpire} answers it. */
	static final long NO_EXPIRY = -1;

	/** Scan positions are 32-bit: one past the last is where an iteration ends. */
	static final long SCAN_END = 1L << 32;

	private static final long ORIGIN_NANOS = System.nanoTime();

	private final ConcurrentMap<Key, Entry> entries = new ConcurrentHashMap<>();

	private final ConcurrentSkipListSet<Key> order = new ConcurrentSkipListSet<>();

	/** Milliseconds of the monotonic clock expiry times are in; 1 at the start, never negative. */
	static long now() {
		return (System.nanoTime() - ORIGIN_NANOS) / 1_000_000 + 1;
	}

	byte @Nullable [] get(byte[] key) {
		Entry entry = live(new Key(key));
		return (entry != null) ? entry.value : null;
	}

	/** @param expiresAt {@link #now()} after which the key expires, or {@link #NO_EXPIRY} */
	void set(byte[] key, byte[] value, long expiresAt) {
		Key k = new Key(key);
		// a plain put, as fast as SET can be; a new key then joins the scan order under the map's
		// lock of that key, if it is still there: a delete in between has nothing to remove from the
		// order, and a delete after it removes what this added
		if (this.entries.put(k, new Entry(value, expiresAt)) == null) {
			this.entries.computeIfPresent(k, (present, entry) -> {
				this.order.add(present);
				return entry;
			});
		}
	}

	/** What SET with its options did: whether it stored the value, and the live value before, if any. */
	record SetOutcome(boolean stored, byte @Nullable [] previous) {
	}

	/**
	 * SET with its options, atomically: stores only when the key exists ({@code condition} TRUE,
	 * XX) or does not (FALSE, NX), or always (null); keeps the key's expiry when {@code keepTtl}.
	 */
	SetOutcome set(byte[] key, byte[] value, long expiresAt, boolean keepTtl, @Nullable Boolean condition) {
		SetOutcome[] outcome = new SetOutcome[1];
		this.entries.compute(new Key(key), (k, old) -> {
			boolean live = old != null && !old.isExpired(now());
			byte[] previous = live ? old.value : null;
			if (condition != null && condition != live) {
				outcome[0] = new SetOutcome(false, previous);
				return old;
			}
			if (old == null) {
				this.order.add(k);
			}
			outcome[0] = new SetOutcome(true, previous);
			return new Entry(value, (keepTtl && live) ? old.expiresAt : expiresAt);
		});
		return outcome[0];
	}

	/** SETNX: stores {@code value} only when the key is absent; returns whether it did. */
	boolean setIfAbsent(byte[] key, byte[] value) {
		boolean[] stored = new boolean[1];
		this.entries.compute(new Key(key), (k, old) -> {
			if (old != null && !old.isExpired(now())) {
				return old;
			}
			if (old == null) {
				this.order.add(k);
			}
			stored[0] = true;
			return new Entry(value, NO_EXPIRY);
		});
		return stored[0];
	}

	boolean delete(byte[] key) {
		boolean[] deleted = new boolean[1];
		this.entries.computeIfPresent(new Key(key), (k, old) -> {
			deleted[0] = !old.isExpired(now());
			this.order.remove(k);
			return null;
		});
		return deleted[0];
	}

	boolean exists(byte[] key) {
		return live(new Key(key)) != null;
	}

	/**
	 * Adds {@code increment} to the integer stored at {@code key} (0 when absent), atomically,
	 * keeping its expiry.
	 * @throws NumberFormatException when the value is not an integer
	 * @throws ArithmeticException when the result would overflow
	 */
	long increment(byte[] key, long increment) {
		long[] result = new long[1];
		this.entries.compute(new Key(key), (k, entry) -> {
			boolean absent = entry == null || entry.isExpired(now());
			long current = absent ? 0 : parseInteger(entry.value);
			result[0] = Math.addExact(current, increment);
			if (entry == null) {
				this.order.add(k);
			}
			byte[] value = Long.toString(result[0]).getBytes(StandardCharsets.US_ASCII);
			return new Entry(value, absent ? NO_EXPIRY : entry.expiresAt);
		});
		return result[0];
	}

	/** APPEND: adds {@code suffix} to the value (an empty one when absent); returns the new length. */
	long append(byte[] key, byte[] suffix) {
		long[] length = new long[1];
		this.entries.compute(new Key(key), (k, entry) -> {
			boolean absent = entry == null || entry.isExpired(now());
			if (entry == null) {
				this.order.add(k);
			}
			byte[] current = absent ? new byte[0] : entry.value;
			byte[] value = Arrays.copyOf(current, Math.addExact(current.length, suffix.length));
			System.arraycopy(suffix, 0, value, current.length, suffix.length);
			length[0] = value.length;
			return new Entry(value, absent ? NO_EXPIRY : entry.expiresAt);
		});
		return length[0];
	}

	/**
	 * Sets the key's expiry to {@code expiresAt} ({@link #now()} milliseconds), or deletes it when
	 * that time has come, as EXPIRE does; {@code allowed} sees the current expiry
	 * ({@link #NO_EXPIRY} for none) and may refuse (EXPIRE's NX, XX, GT and LT).
	 * @return whether the key existed and the expiry was allowed
	 */
	boolean expire(byte[] key, long expiresAt, java.util.function.LongPredicate allowed) {
		boolean[] changed = new boolean[1];
		this.entries.computeIfPresent(new Key(key), (k, entry) -> {
			long now = now();
			if (entry.isExpired(now)) {
				this.order.remove(k);
				return null;
			}
			if (!allowed.test(entry.expiresAt)) {
				return entry;
			}
			changed[0] = true;
			if (expiresAt <= now) {
				this.order.remove(k);
				return null;
			}
			return new Entry(entry.value, expiresAt);
		});
		return changed[0];
	}

	/** PERSIST: removes the key's expiry; returns whether it had one. */
	boolean persist(byte[] key) {
		boolean[] changed = new boolean[1];
		this.entries.computeIfPresent(new Key(key), (k, entry) -> {
			if (entry.isExpired(now())) {
				this.order.remove(k);
				return null;
			}
			if (entry.expiresAt == NO_EXPIRY) {
				return entry;
			}
			changed[0] = true;
			return new Entry(entry.value, NO_EXPIRY);
		});
		return changed[0];
	}

	/**
	 * Milliseconds until the key expires (0 once due), as Redis's PTTL: -1 when it has no expiry,
	 * -2 when it does not exist.
	 */
	long timeToLive(byte[] key) {
		Entry entry = live(new Key(key));
		if (entry == null) {
			return -2;
		}
		if (entry.expiresAt == NO_EXPIRY) {
			return -1;
		}
		return Math.max(0, entry.expiresAt - now());
	}

	/** The live keys that {@code filter} accepts, in no particular order. */
	List<byte[]> keys(Predicate<byte[]> filter) {
		long now = now();
		List<byte[]> keys = new ArrayList<>();
		this.entries.forEach((key, entry) -> {
			if (!entry.isExpired(now) && filter.test(key.bytes)) {
				keys.add(key.bytes);
			}
		});
		return keys;
	}

	/**
	 * One step of SCAN: visits keys from scan position {@code cursor} on, in position order, until
	 * at least {@code count} keys are visited (and every key sharing the last one's position, so
	 * that the next cursor can start after it), and adds the live ones {@code filter} accepts to
	 * {@code found}.
	 * @return the cursor to go on from, 0 when the iteration is complete
	 */
	long scan(long cursor, long count, Predicate<byte[]> filter, List<byte[]> found) {
		if (cursor < 0 || cursor >= SCAN_END) {
			return 0;
		}
		long now = now();
		long visited = 0;
		long lastPosition = -1;
		for (Key key : this.order.tailSet(Key.first((int) cursor))) {
			long position = key.position();
			if (visited >= count && position != lastPosition) {
				return position;
			}
			visited++;
			lastPosition = position;
			Entry entry = this.entries.get(key);
			if (entry != null && !entry.isExpired(now) && filter.test(key.bytes)) {
				found.add(key.bytes);
			}
		}
		return 0;
	}

	/**
	 * Parses an integer as Redis does: an optional minus and digits without a leading zero, so
	 * that "+5", "05" and "-0" are not integers.
	 * @throws NumberFormatException otherwise, or when it does not fit in 64 bits
	 */
	static long parseInteger(byte[] bytes) {
		String text = new String(bytes, StandardCharsets.ISO_8859_1);
		if (!text.matches("-?(0|[1-9][0-9]*)") || text.equals("-0")) {
			throw new NumberFormatException("not an integer: " + text);
		}
		return Long.parseLong(text);
	}

	/** The number of live keys, removing the expired ones. */
	int size() {
		removeExpired();
		return this.entries.size();
	}

	/** The number of live keys that have an expiry. */
	int volatileSize() {
		long now = now();
		int[] count = new int[1];
		this.entries.forEach((key, entry) -> {
			if (entry.expiresAt != NO_EXPIRY && !entry.isExpired(now)) {
				count[0]++;
			}
		});
		return count[0];
	}

	/** How many keys the scan order holds: the map's size once nothing is changing, for tests. */
	int scanOrderSize() {
		return this.order.size();
	}

	void clear() {
		for (Key key : this.entries.keySet()) {
			this.entries.computeIfPresent(key, (k, entry) -> {
				this.order.remove(k);
				return null;
			});
		}
	}

	private void removeExpired() {
		for (Key key : this.entries.keySet()) {
			this.entries.computeIfPresent(key, (k, entry) -> {
				if (!entry.isExpired(now())) {
					return entry;
				}
				this.order.remove(k);
				return null;
			});
		}
	}

	private @Nullable Entry live(Key key) {
		Entry entry = this.entries.get(key);
		if (entry != null && entry.isExpired(now())) {
			this.entries.computeIfPresent(key, (k, current) -> {
				if (!current.isExpired(now())) {
					return current; // set again meanwhile
				}
				this.order.remove(k);
				return null;
			});
			return null;
		}
		return entry;
	}

	/** A key, ordered by its scan position, then by its bytes. */
	static final class Key implements Comparable<Key> {

		final byte @Nullable [] bytes;

		private final int hash;

		Key(byte[] bytes) {
			this(bytes, Arrays.hashCode(bytes));
		}

		private Key(byte @Nullable [] bytes, int hash) {
			this.bytes = bytes;
			this.hash = hash;
		}

		/** The first key that could have scan position {@code position}: nothing sorts before it there. */
		static Key first(int position) {
			return new Key(null, unmix(position));
		}

		/**
		 * Where SCAN meets this key: 0 to 2^32-1, a mix of the hash so that keys alike ("key:1",
		 * "key:2") are spread out rather than returned in order.
		 */
		long position() {
			return Integer.toUnsignedLong(mix(this.hash));
		}

		private static int mix(int hash) {
			return hash * 0x9E3779B9; // odd, so a bijection of 32-bit values
		}

		private static int unmix(int position) {
			return position * 0x144CBC89; // the inverse of 0x9E3779B9 modulo 2^32
		}

		@Override
		public int compareTo(Key other) {
			int byPosition = Long.compare(position(), other.position());
			if (byPosition != 0) {
				return byPosition;
			}
			if (this.bytes == null || other.bytes == null) {
				return (this.bytes == null) ? ((other.bytes == null) ? 0 : -1) : 1;
			}
			return Arrays.compareUnsigned(this.bytes, other.bytes);
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

		final long expiresAt;

		Entry(byte[] value, long expiresAt) {
			this.value = value;
			this.expiresAt = expiresAt;
		}

		boolean isExpired(long now) {
			return this.expiresAt != NO_EXPIRY && now > this.expiresAt;
		}

	}

}
