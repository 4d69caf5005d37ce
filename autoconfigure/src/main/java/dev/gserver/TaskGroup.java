package dev.gserver;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * The running tasks of one owner, so that it can wait for them and kill them: gevent's
 * {@code Group}. Adding and removing are lock-free; only a waiter takes the lock.
 */
final class TaskGroup {

	/**
	 * How long tasks that outlive a stop's timeout get to end, as gevent's
	 * {@code pool.kill(timeout=1)}: half after their input ended, half after they were killed.
	 */
	static final Duration KILL_TIMEOUT = Duration.ofSeconds(1);

	private static final Duration DRAIN_TIMEOUT = KILL_TIMEOUT.dividedBy(2);

	private final Set<Task> tasks = ConcurrentHashMap.newKeySet();

	private final AtomicInteger size = new AtomicInteger();

	private final ReentrantLock lock = new ReentrantLock();

	private final Condition changed = this.lock.newCondition();

	private final AtomicInteger waiters = new AtomicInteger();

	void add(Task task) {
		this.tasks.add(task);
		this.size.incrementAndGet();
	}

	void remove(Task task) {
		if (this.tasks.remove(task)) {
			this.size.decrementAndGet();
			if (this.waiters.get() > 0) {
				signalWaiters();
			}
		}
	}

	int size() {
		return this.size.get();
	}

	/** Applies {@code action} to every running task, as a weakly consistent view: for a watchdog. */
	void forEach(Consumer<? super Task> action) {
		for (Task task : this.tasks) {
			action.accept(task);
		}
	}

	/**
	 * Waits until every task has ended, except one run by the calling thread (a handler that
	 * stops its own server must not wait for itself).
	 * @param timeout how long to wait at most
	 * @return whether the tasks ended in time
	 */
	boolean join(Duration timeout) throws InterruptedException {
		int own = ownTasks();
		long remaining = timeout.toNanos();
		this.waiters.incrementAndGet();
		this.lock.lock();
		try {
			while (this.size.get() > own) {
				if (remaining <= 0) {
					return false;
				}
				remaining = this.changed.awaitNanos(remaining);
			}
			return true;
		}
		finally {
			this.lock.unlock();
			this.waiters.decrementAndGet();
		}
	}

	/**
	 * Ends every task, as a server stops: waits up to {@code timeout} for them, then ends the
	 * input of the rest (a handler waiting for a request ends as if its client had left, one
	 * writing a reply finishes it), then kills those still running. A task run by the calling
	 * thread is left alone. An interrupt cuts the wait short and is kept for the caller.
	 * @return what became of the tasks
	 */
	StopReport stop(Duration timeout) {
		int running = size();
		boolean interrupted = false;
		boolean ended;
		try {
			ended = join(timeout);
		}
		catch (InterruptedException ex) {
			interrupted = true;
			ended = false;
		}
		int outlived = 0;
		int killed = 0;
		int stuck = 0;
		if (!ended) {
			outlived = size();
			if (!drain(DRAIN_TIMEOUT)) {
				killed = size();
				stuck = kill(KILL_TIMEOUT.minus(DRAIN_TIMEOUT));
			}
		}
		if (interrupted) {
			Thread.currentThread().interrupt();
		}
		return new StopReport(running - outlived, outlived - killed, killed, stuck);
	}

	/**
	 * Drains every task (but one run by the calling thread), then waits up to {@code timeout}
	 * for them to end.
	 * @return whether they all ended in time
	 */
	boolean drain(Duration timeout) {
		return applyThenJoin(Task::drain, timeout);
	}

	/**
	 * Kills every task (but one run by the calling thread), then waits up to {@code timeout}
	 * for them to end.
	 * @return how many tasks are still running afterwards
	 */
	int kill(Duration timeout) {
		applyThenJoin(Task::kill, timeout);
		return Math.max(0, this.size.get() - ownTasks());
	}

	/** Applies {@code action} to every task but the caller's own, then waits for them; returns whether they ended. */
	private boolean applyThenJoin(Consumer<Task> action, Duration timeout) {
		Thread caller = Thread.currentThread();
		for (Task task : this.tasks) {
			if (!task.isRunBy(caller)) {
				action.accept(task);
			}
		}
		try {
			return join(timeout);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return false;
		}
	}

	private int ownTasks() {
		Thread caller = Thread.currentThread();
		int own = 0;
		for (Task task : this.tasks) {
			if (task.isRunBy(caller)) {
				own++;
			}
		}
		return own;
	}

	private void signalWaiters() {
		this.lock.lock();
		try {
			this.changed.signalAll();
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * What {@link #stop(Duration)} did: how many tasks finished within the timeout, how many ended
	 * once their input ended, how many were killed, and how many of those still ran afterwards.
	 */
	record StopReport(int finished, int endedAtEndOfInput, int killed, int stuck) {

		@Override
		public String toString() {
			return this.finished + " handler(s) finished, " + this.endedAtEndOfInput + " ended at end of input, "
					+ this.killed + " killed";
		}

	}

}
