package dev.gserver;

import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * What a pool adds to spawning a handler, without the network around it.
 * <ul>
 * <li>{@link #spawnTasks}: the server's spawn step (reserve room, spawn on the server's thread
 * factory, run) for trivial tasks, {@value #BATCH} at a time as a busy accept loop spawns them
 * (it takes up to {@code maxAccept} connections per wake-up), then waiting until they all ran;
 * the score is per task. The {@code spawn} parameter is {@code default} (the baseline: a new
 * thread per task, no pool) or {@code pool} (a new thread per task, in a {@link Pool} that never
 * fills);</li>
 * <li>{@link #poolAcquireRelease}: taking a pool slot and giving it back, alone.</li>
 * </ul>
 * This class sits in package {@code dev.gserver} because the path it measures ({@link Spawn}'s
 * reserve and spawn, {@link Task}, the pool's slots) is package-private: the public API runs it
 * only behind a socket.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class SpawnBenchmark {

	/** Tasks spawned before waiting for them: enough that waking up the waiter is no longer what is measured. */
	static final int BATCH = 32;

	/** Large enough never to fill: a batch's tasks that have signalled may still be giving their slots back. */
	static final int POOL_SIZE = 100;

	// in the core's package, so @NullMarked: JMH sets the @Param field and calls @Setup before any
	// benchmark method, which NullAway cannot see
	@SuppressWarnings("NullAway.Init")
	@State(Scope.Benchmark)
	public static class Spawning {

		@Param({ "default", "pool" })
		public String spawn;

		Spawn how;

		/** Named handler threads, as a server makes them for its spawn, pooled or not. */
		ThreadFactory threads;

		/** Released by each task as it runs: the benchmark waits for a batch's permits. */
		final Semaphore ran = new Semaphore(0);

		final Runnable work = this.ran::release;

		@Setup
		public void createSpawn() {
			this.how = this.spawn.equals("pool") ? Spawn.pool(POOL_SIZE) : Spawn.DEFAULT;
			this.threads = Threads.named("benchmark-handler-");
		}

		@TearDown
		public void awaitTasks() throws InterruptedException {
			Pool pool = this.how.getPool();
			if (pool != null && !pool.join(Duration.ofSeconds(5))) {
				throw new IllegalStateException(pool + " still runs tasks");
			}
		}

	}

	@State(Scope.Benchmark)
	public static class Slots {

		final Pool pool = new Pool(POOL_SIZE);

	}

	@Benchmark
	@OperationsPerInvocation(BATCH)
	public void spawnTasks(Spawning state) throws InterruptedException {
		for (int i = 0; i < BATCH; i++) {
			if (!state.how.reserve()) {
				throw new IllegalStateException(state.how + " is full: tasks are not giving their slots back");
			}
			state.how.spawn(Task.of(state.work), state.threads);
		}
		state.ran.acquire(BATCH);
	}

	@Benchmark
	public void poolAcquireRelease(Slots state) {
		if (!state.pool.tryAcquire()) {
			throw new IllegalStateException(state.pool + " is full: a slot was not given back");
		}
		state.pool.release();
	}

}
