package dev.gserver;

import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadFactory;

import org.jspecify.annotations.Nullable;

/**
 * How a server runs the handler of each accepted connection: gevent's {@code spawn} argument.
 * <ul>
 * <li>{@link #DEFAULT}: a new thread per connection, named after the server (gevent's
 * {@code Greenlet.spawn});</li>
 * <li>{@link #RAW}: a new thread per connection without a name of its own: the least overhead
 * ({@code spawn_raw});</li>
 * <li>{@link #NONE}: the handler runs inline on the accept thread, so it must not block;</li>
 * <li>{@link #pool(int)} / {@link #of(Pool)}: a bounded pool; while it is full the server stops
 * accepting;</li>
 * <li>{@link #of(Executor)}: any executor (gevent's "callable" spawn).</li>
 * </ul>
 * Whatever the spawn, the server tracks the handlers it started, so that {@code stop} can wait
 * for them and kill them.
 */
public abstract class Spawn {

	/** A new thread per connection, named {@code <server>-handler-<n>}. */
	public static final Spawn DEFAULT = new NewThread("default") {

		@Override
		ThreadFactory threads(ThreadFactory serverThreads) {
			return serverThreads;
		}

	};

	/** A new thread per connection, unnamed: the least overhead per connection. */
	public static final Spawn RAW = new NewThread("raw") {

		@Override
		ThreadFactory threads(ThreadFactory serverThreads) {
			return Threads.unnamedLike(serverThreads);
		}

	};

	/** The handler runs on the accept thread itself; while it runs, nothing is accepted. */
	public static final Spawn NONE = new Spawn() {

		@Override
		void spawn(Task task, ThreadFactory serverThreads) {
			task.run();
		}

		@Override
		public String toString() {
			return "none";
		}

	};

	Spawn() {
	}

	/** Returns a spawn into a new pool of {@code size} slots. */
	public static Spawn pool(int size) {
		return of(new Pool(size));
	}

	/** Returns a spawn into {@code pool}, which may be shared with other servers. */
	public static Spawn of(Pool pool) {
		return new Pooled(Objects.requireNonNull(pool, "pool"));
	}

	/**
	 * Returns a spawn that hands each handler to {@code executor}. A
	 * {@link java.util.concurrent.RejectedExecutionException} from it counts as a failed spawn:
	 * the connection is closed and accepting pauses.
	 */
	public static Spawn of(Executor executor) {
		Objects.requireNonNull(executor, "executor");
		return new Spawn() {

			@Override
			void spawn(Task task, ThreadFactory serverThreads) {
				executor.execute(task);
			}

			@Override
			public String toString() {
				return "executor(" + executor + ")";
			}

		};
	}

	/**
	 * Parses a spawn as written in configuration: {@code default}, {@code raw}, {@code none}, or
	 * a pool size such as {@code 100}.
	 * @throws IllegalArgumentException quoting {@code value} when it is none of these
	 */
	public static Spawn parse(String value) {
		Objects.requireNonNull(value, "value");
		String trimmed = value.trim().toLowerCase(Locale.ROOT);
		switch (trimmed) {
			case "default":
				return DEFAULT;
			case "raw":
				return RAW;
			case "none":
				return NONE;
			default:
				return pool(parsePoolSize(value, trimmed));
		}
	}

	private static int parsePoolSize(String value, String trimmed) {
		int size;
		try {
			size = Integer.parseInt(trimmed);
		}
		catch (NumberFormatException ex) {
			throw new IllegalArgumentException(
					"Invalid spawn '" + value + "': expected default, raw, none or a pool size such as 100");
		}
		if (size < 1) {
			throw new IllegalArgumentException("Invalid spawn '" + value + "': a pool size must be at least 1");
		}
		return size;
	}

	/** Returns the pool this spawn runs handlers in, or {@code null}. */
	public @Nullable Pool getPool() {
		return null;
	}

	/** Reserves room for one more handler; {@code false} when the pool is full. */
	boolean reserve() {
		return true;
	}

	/** Gives back a reservation that no handler used. */
	void cancelReservation() {
	}

	/**
	 * Runs {@code task}, using up the reservation made for it whether it succeeds or throws.
	 * @param serverThreads the server's factory of named handler threads
	 */
	abstract void spawn(Task task, ThreadFactory serverThreads);

	/** A thread per connection. */
	private abstract static class NewThread extends Spawn {

		private final String name;

		NewThread(String name) {
			this.name = name;
		}

		abstract ThreadFactory threads(ThreadFactory serverThreads);

		@Override
		void spawn(Task task, ThreadFactory serverThreads) {
			threads(serverThreads).newThread(task).start();
		}

		@Override
		public String toString() {
			return this.name;
		}

	}

	private static final class Pooled extends Spawn {

		private final Pool pool;

		Pooled(Pool pool) {
			this.pool = pool;
		}

		@Override
		public Pool getPool() {
			return this.pool;
		}

		@Override
		boolean reserve() {
			return this.pool.tryAcquire();
		}

		@Override
		void cancelReservation() {
			this.pool.release();
		}

		@Override
		void spawn(Task task, ThreadFactory serverThreads) {
			this.pool.startAcquired(task, serverThreads);
		}

		@Override
		public String toString() {
			return "pool(" + this.pool.size() + ")";
		}

	}

}
