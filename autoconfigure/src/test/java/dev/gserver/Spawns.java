package dev.gserver;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.junit.jupiter.api.Named.named;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * The spawns the server tests run under: the one source of every test parameterized by spawn,
 * {@code @MethodSource("dev.gserver.Spawns#all")} or {@code @MethodSource("dev.gserver.Spawns#concurrent")},
 * which {@link All @Spawns.All} and {@link Concurrent @Spawns.Concurrent} stand for. Each
 * argument is a named {@code Supplier<Spawn>} that gives a fresh spawn (a new pool) each time it
 * is asked, so that no pool is shared between tests, nor between two servers of a test unless the
 * test shares it.
 */
final class Spawns {

	/** A test run once for each spawn of {@link Spawns#all()}; it takes a {@code Supplier<Spawn>}. */
	@Target(ElementType.METHOD)
	@Retention(RetentionPolicy.RUNTIME)
	@ParameterizedTest(name = "[{index}] spawn={0}")
	@MethodSource("dev.gserver.Spawns#all")
	@interface All {

	}

	/** A test run once for each spawn of {@link Spawns#concurrent()}; it takes a {@code Supplier<Spawn>}. */
	@Target(ElementType.METHOD)
	@Retention(RetentionPolicy.RUNTIME)
	@ParameterizedTest(name = "[{index}] spawn={0}")
	@MethodSource("dev.gserver.Spawns#concurrent")
	@interface Concurrent {

	}

	/**
	 * How many handlers {@link #concurrent()} spawns must run at once: the most any test needs
	 * ({@link ConcurrentClientsTest}'s clients, all served at the same time).
	 */
	static final int CONCURRENT = 100;

	private static final int WIDE_POOL = 2 * CONCURRENT;

	private static final List<Variant> VARIANTS = List.of(new Variant("default", Integer.MAX_VALUE, () -> Spawn.DEFAULT),
			new Variant("raw", Integer.MAX_VALUE, () -> Spawn.RAW),
			// gevent's TestPoolSpawn: a pool small enough to fill
			new Variant("pool(2)", 2, () -> Spawn.pool(2)),
			// a pool wide enough for the concurrent tests, whatever CONCURRENT is
			new Variant("pool(" + WIDE_POOL + ")", WIDE_POOL, () -> Spawn.pool(WIDE_POOL)),
			// gevent's TestNoneSpawn: the handler runs on the accept thread, one at a time
			new Variant("none", 1, () -> Spawn.NONE));

	private Spawns() {
	}

	/** Every spawn: for tests that need no more than one handler running at a time. */
	static Stream<Arguments> all() {
		return runningAtOnce(1);
	}

	/** The spawns that run {@link #CONCURRENT} handlers at once (all but the small pool and none). */
	static Stream<Arguments> concurrent() {
		return runningAtOnce(CONCURRENT);
	}

	private static Stream<Arguments> runningAtOnce(int handlers) {
		return VARIANTS.stream()
			.filter((variant) -> variant.atOnce >= handlers)
			.map((variant) -> arguments(named(variant.name, variant.spawn)));
	}

	private record Variant(String name, int atOnce, Supplier<Spawn> spawn) {
	}

}
