package dev.gserver.sample;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

import org.junit.jupiter.api.Test;

/**
 * SCAN on the store itself: an iteration returns every key present from its start to its end
 * exactly once, whatever is added meanwhile, ends with cursor 0, and reads a cursor as Redis does.
 */
class ScanTest {

	private static final Predicate<byte[]> ALL = (key) -> true;

	private final KeyValueStore store = new KeyValueStore();

	@Test
	void emptyStoreEndsAtOnce() {
		List<byte[]> found = new ArrayList<>();
		assertThat(this.store.scan(0, 10, ALL, found)).isZero();
		assertThat(found).isEmpty();
	}

	@Test
	void iterationReturnsEveryKeyOnceInStepsOfAboutCount() {
		Set<String> keys = fill("k:", 1000);
		List<String> seen = new ArrayList<>();
		int steps = 0;
		long cursor = 0;
		do {
			List<byte[]> found = new ArrayList<>();
			cursor = this.store.scan(cursor, 10, ALL, found);
			// COUNT is a number of keys visited: more only when keys share the last one's position
			assertThat(found.size()).isBetween(cursor == 0 ? 0 : 10, 12);
			found.forEach((key) -> seen.add(text(key)));
			steps++;
		}
		while (cursor != 0);
		assertThat(seen).doesNotHaveDuplicates();
		assertThat(new HashSet<>(seen)).isEqualTo(keys);
		assertThat(steps).isBetween(100, 101);
	}

	@Test
	void keysAddedDuringAnIterationDoNotCauseMissesOrRepeats() {
		Set<String> before = fill("old:", 500);
		Set<String> seen = new HashSet<>();
		List<String> all = new ArrayList<>();
		long cursor = 0;
		int added = 0;
		do {
			List<byte[]> found = new ArrayList<>();
			cursor = this.store.scan(cursor, 7, ALL, found);
			found.forEach((key) -> {
				seen.add(text(key));
				all.add(text(key));
			});
			// the table grows to five times its size while the cursor moves: a hash table would rehash
			for (int i = 0; i < 20; i++) {
				this.store.set(bytes("new:" + added++), bytes("v"), KeyValueStore.NO_EXPIRY);
			}
		}
		while (cursor != 0);
		assertThat(seen).containsAll(before);
		assertThat(all).doesNotHaveDuplicates();
		assertThat(added).isGreaterThan(1000);
	}

	@Test
	void deletedAndExpiredKeysAreNotReturned() {
		fill("live:", 50);
		this.store.set(bytes("gone"), bytes("v"), KeyValueStore.NO_EXPIRY);
		assertThat(this.store.delete(bytes("gone"))).isTrue();
		// expired a millisecond of the store's clock ago
		this.store.set(bytes("expired"), bytes("v"), KeyValueStore.now() - 1);
		Set<String> seen = scanAll(3, ALL);
		assertThat(seen).hasSize(50).allMatch((key) -> key.startsWith("live:"));
	}

	@Test
	void matchFiltersAfterVisitingSoAStepMayBeEmptyButTheIterationGoesOn() {
		fill("user:", 200);
		fill("session:", 200);
		Set<String> seen = scanAll(5, (key) -> Glob.matches(bytes("user:1?"), key));
		assertThat(seen).containsExactlyInAnyOrder("user:10", "user:11", "user:12", "user:13", "user:14", "user:15",
				"user:16", "user:17", "user:18", "user:19");
	}

	@Test
	void keysSharingAScanPositionComeInOneStep() {
		// "Aa" and "BB" have the same hash code, so the same position: the next cursor can only be past both
		assertThat(new KeyValueStore.Key(bytes("Aa")).position()).isEqualTo(new KeyValueStore.Key(bytes("BB")).position());
		this.store.set(bytes("Aa"), bytes("1"), KeyValueStore.NO_EXPIRY);
		this.store.set(bytes("BB"), bytes("2"), KeyValueStore.NO_EXPIRY);
		this.store.set(bytes("other"), bytes("3"), KeyValueStore.NO_EXPIRY);
		List<byte[]> found = new ArrayList<>();
		long cursor = 0;
		Set<String> seen = new HashSet<>();
		do {
			found.clear();
			cursor = this.store.scan(cursor, 1, ALL, found);
			List<String> step = found.stream().map(ScanTest::text).toList();
			if (step.contains("Aa") || step.contains("BB")) {
				assertThat(step).contains("Aa", "BB");
			}
			seen.addAll(step);
		}
		while (cursor != 0);
		assertThat(seen).containsExactlyInAnyOrder("Aa", "BB", "other");
	}

	@Test
	void scanOrderAndMapAgreeAfterConcurrentWritesAndDeletes() throws Exception {
		// four threads race every kind of write and delete on 40 keys; once they are done, the scan
		// order must hold exactly the map's keys: none lost (SCAN would miss it), none stale
		int threads = 4;
		int rounds = 20_000;
		java.util.concurrent.ExecutorService executor = java.util.concurrent.Executors.newFixedThreadPool(threads);
		try {
			List<java.util.concurrent.Future<?>> done = new ArrayList<>();
			for (int t = 0; t < threads; t++) {
				int seed = t;
				done.add(executor.submit(() -> {
					java.util.Random random = new java.util.Random(seed);
					for (int i = 0; i < rounds; i++) {
						byte[] key = bytes("race:" + random.nextInt(40));
						switch (random.nextInt(6)) {
							case 0 -> this.store.set(key, bytes("v"), KeyValueStore.NO_EXPIRY);
							case 1 -> this.store.delete(key);
							case 2 -> this.store.setIfAbsent(key, bytes("v"));
							case 3 -> this.store.append(key, bytes("x"));
							case 4 -> this.store.set(key, bytes("v"), KeyValueStore.NO_EXPIRY, false, Boolean.FALSE);
							default -> this.store.expire(key, KeyValueStore.now() - 1, (current) -> true);
						}
					}
				}));
			}
			for (java.util.concurrent.Future<?> each : done) {
				each.get(30, java.util.concurrent.TimeUnit.SECONDS);
			}
		}
		finally {
			executor.shutdownNow();
		}
		Set<String> live = new HashSet<>();
		this.store.keys(ALL).forEach((key) -> live.add(text(key)));
		assertThat(scanAll(5, ALL)).isEqualTo(live);
		assertThat(this.store.scanOrderSize()).isEqualTo(this.store.size());
	}

	@Test
	void cursorPastTheLastPositionEndsTheIteration() {
		fill("k:", 10);
		List<byte[]> found = new ArrayList<>();
		assertThat(this.store.scan(KeyValueStore.SCAN_END, 10, ALL, found)).isZero();
		assertThat(found).isEmpty();
	}

	@Test
	void cursorIsReadAsStrtoulReadsIt() {
		// each as redis-server 7.0 reads it: SCAN "" is SCAN 0; "-1" wraps around; no spaces, no 2^64
		assertThat(KeyCommands.cursor(bytes("0"))).isEqualTo(BigInteger.ZERO);
		assertThat(KeyCommands.cursor(bytes(""))).isEqualTo(BigInteger.ZERO);
		assertThat(KeyCommands.cursor(bytes("+17"))).isEqualTo(BigInteger.valueOf(17));
		assertThat(KeyCommands.cursor(bytes("-1"))).isEqualTo(new BigInteger("18446744073709551615"));
		assertThat(KeyCommands.cursor(bytes("18446744073709551615"))).isEqualTo(new BigInteger("18446744073709551615"));
		assertThat(KeyCommands.cursor(bytes("18446744073709551616"))).isNull();
		assertThat(KeyCommands.cursor(bytes("abc"))).isNull();
		assertThat(KeyCommands.cursor(bytes(" 1"))).isNull();
		assertThat(KeyCommands.cursor(bytes("1 "))).isNull();
		assertThat(KeyCommands.cursor(bytes("-"))).isNull();
	}

	private Set<String> scanAll(int count, Predicate<byte[]> filter) {
		Set<String> seen = new HashSet<>();
		long cursor = 0;
		int steps = 0;
		do {
			List<byte[]> found = new ArrayList<>();
			cursor = this.store.scan(cursor, count, filter, found);
			found.forEach((key) -> assertThat(seen.add(text(key))).as("first time: %s", text(key)).isTrue());
			assertThat(++steps).as("steps").isLessThan(10_000);
		}
		while (cursor != 0);
		return seen;
	}

	private Set<String> fill(String prefix, int count) {
		Set<String> keys = new HashSet<>();
		for (int i = 0; i < count; i++) {
			this.store.set(bytes(prefix + i), bytes("v" + i), KeyValueStore.NO_EXPIRY);
			keys.add(prefix + i);
		}
		return keys;
	}

	private static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

	private static String text(byte[] bytes) {
		return new String(bytes, StandardCharsets.UTF_8);
	}

}
