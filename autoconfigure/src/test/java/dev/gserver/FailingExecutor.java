package dev.gserver;

import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An executor, for {@link Spawn#of(Executor)}, that throws one error for its first tasks and then
 * runs each task on a new thread of its own: a spawn that fails (a {@code RejectedExecutionException}
 * when out of threads, or an {@code Error}), and then recovers.
 */
final class FailingExecutor implements Executor {

	private final AtomicInteger failuresLeft;

	private final Throwable error;

	/** How many tasks it ran, after its failures. */
	final AtomicInteger executed = new AtomicInteger();

	private FailingExecutor(int failures, Throwable error) {
		this.failuresLeft = new AtomicInteger(failures);
		this.error = error;
	}

	/** Throws {@code error} for the first {@code failures} tasks. */
	static FailingExecutor failingFirst(int failures, RuntimeException error) {
		return new FailingExecutor(failures, error);
	}

	/** Throws {@code error} for the first {@code failures} tasks. */
	static FailingExecutor failingFirst(int failures, Error error) {
		return new FailingExecutor(failures, error);
	}

	@Override
	public void execute(Runnable task) {
		if (this.failuresLeft.getAndUpdate((left) -> Math.max(0, left - 1)) > 0) {
			if (this.error instanceof RuntimeException runtime) {
				throw runtime;
			}
			throw (Error) this.error;
		}
		this.executed.incrementAndGet();
		new Thread(task, "failing-executor-task-" + this.executed.get()).start();
	}

}
