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

}
