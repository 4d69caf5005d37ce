package dev.gserver;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

import org.jspecify.annotations.Nullable;

/**
 * One unit of handler work that can be killed: gevent's greenlet, as far as a server needs
 * one. Its state moves {@code NEW -> RUNNING -> FINISHED}, or {@code NEW -> FINISHED} when it
 * is killed before it starts; {@link #finished()} runs exactly once either way.
 * <p>
 * Java cannot kill a thread. Killing a task releases what it holds ({@link #abort()}: the
 * client connection, so blocked I/O fails at once) and interrupts its thread, which ends any
 * other blocking call.
 */
abstract class Task implements Runnable {

	private static final int NEW = 0;

	private static final int RUNNING = 1;

	private static final int FINISHED = 2;

	private static final VarHandle STATE;

	static {
		try {
			STATE = MethodHandles.lookup().findVarHandle(Task.class, "state", int.class);
		}
		catch (ReflectiveOperationException ex) {
			throw new ExceptionInInitializerError(ex);
		}
	}

	@SuppressWarnings("unused") // accessed through STATE
	private volatile int state = NEW;

	private volatile boolean killed;

	private volatile boolean drained;

	/** The thread running the task; guarded by {@code this} so that a kill never interrupts a later task. */
	private @Nullable Thread runner;

	@Override
	public final void run() {
		run(null);
	}

	/**
	 * Runs the task, then {@code beforeFinished}, then {@link #finished()}: a pool frees its slot
	 * before the task counts as finished, so that whoever waits for the task sees the slot free.
	 */
	final void run(@Nullable Runnable beforeFinished) {
		if (!STATE.compareAndSet(this, NEW, RUNNING)) {
			if (beforeFinished != null) {
				beforeFinished.run();
			}
			return;
		}
		synchronized (this) {
			this.runner = Thread.currentThread();
		}
		try {
			execute();
		}
		finally {
			synchronized (this) {
				this.runner = null;
				// a kill's interrupt belongs to this task, not to what the thread runs next
				Thread.interrupted();
			}
			this.state = FINISHED;
			if (beforeFinished != null) {
				beforeFinished.run();
			}
			finished();
		}
	}

	/** Kills the task and returns at once; killing it again does nothing more. */
	final void kill() {
		this.killed = true;
		if (STATE.compareAndSet(this, NEW, FINISHED)) {
			abort();
			finished();
			return;
		}
		abort();
		synchronized (this) {
			if (this.runner != null) {
				this.runner.interrupt();
			}
		}
	}

	/**
	 * Asks the task to end without cutting what it is doing: {@link #endInput()}, no interrupt.
	 * A task that has not started yet is left to {@link #kill()}.
	 */
	final void drain() {
		this.drained = true;
		endInput();
	}

	final boolean isDrained() {
		return this.drained;
	}

	final boolean isKilled() {
		return this.killed;
	}

	final synchronized boolean isRunBy(Thread thread) {
		return this.runner == thread;
	}

	/** Does the work. */
	protected abstract void execute();

	/** Releases what the task holds when it is killed; may run concurrently with {@link #execute()}. */
	protected abstract void abort();

	/** Ends what the task reads, as if its peer had finished sending; nothing by default. */
	protected void endInput() {
	}

	/** Called once when the task is over, whether it ran or was killed before it could. */
	protected abstract void finished();

	/** Wraps plain code as a task with nothing to release. */
	static Task of(Runnable runnable) {
		return new Task() {

			@Override
			protected void execute() {
				runnable.run();
			}

			@Override
			protected void abort() {
			}

			@Override
			protected void finished() {
			}

			@Override
			public String toString() {
				return runnable.toString();
			}

		};
	}

}
