package dev.gserver;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A bounded set of handler threads: gevent's {@code Pool}. A server spawning into a full pool
 * stops accepting, and resumes the moment a slot frees; clients wait in the kernel backlog
 * meanwhile. One pool may be shared by several servers, which then share its bound.
 * <p>
 * Threads are virtual on Java 21+, platform daemon threads on Java 17, one per running task.
 */
public final class Pool {

	private static final AtomicInteger ids = new AtomicInteger();

	private final int size;

	private final AtomicInteger active = new AtomicInteger();

	private final TaskGroup tasks = new TaskGroup();

	private final ThreadFactory threads;

	/** Called each time a slot frees: the servers that wait for one. */
	private final ListenerArray<Runnable> slotFreedListeners = new ListenerArray<>(new Runnable[0]);

	/**
	 * Creates a pool of {@code size} slots.
	 * @param size how many tasks may run at once; at least 1
	 */
	public Pool(int size) {
		if (size < 1) {
			throw new IllegalArgumentException("Pool size must be at least 1, got " + size);
		}
		this.size = size;
		this.threads = Threads.named("gserver-pool-" + ids.incrementAndGet() + "-");
	}

	/** Returns how many tasks may run at once. */
	public int size() {
		return this.size;
	}

	/** Returns how many slots are in use. */
	public int activeCount() {
		return this.active.get();
	}

	/** Returns how many slots are free. */
	public int freeCount() {
		return Math.max(0, this.size - this.active.get());
	}

	/** Returns whether every slot is in use. */
	public boolean isFull() {
		return this.active.get() >= this.size;
	}

	/**
	 * Runs {@code task} on a new thread of this pool.
	 * @throws RejectedExecutionException if the pool is full
	 */
	public void spawn(Runnable task) {
		Objects.requireNonNull(task, "task");
		if (!tryAcquire()) {
			throw new RejectedExecutionException(this + " is full");
		}
		startAcquired(Task.of(task), this.threads);
	}

	/**
	 * Waits until no task of this pool runs.
	 * @param timeout how long to wait at most
	 * @return whether the pool became idle in time
	 */
	public boolean join(Duration timeout) throws InterruptedException {
		return this.tasks.join(timeout);
	}

	/**
	 * Kills every running task (closes the connection of a server's handler and interrupts its
	 * thread), then waits up to {@code timeout} for them to end.
	 * @return whether they all ended in time
	 */
	public boolean kill(Duration timeout) {
		return this.tasks.kill(timeout) == 0;
	}

	/** Takes a slot if one is free; the caller then either starts a task or releases it. */
	boolean tryAcquire() {
		while (true) {
			int current = this.active.get();
			if (current >= this.size) {
				return false;
			}
			if (this.active.compareAndSet(current, current + 1)) {
				return true;
			}
		}
	}

	void release() {
		this.active.decrementAndGet();
		for (Runnable listener : this.slotFreedListeners.get()) {
			listener.run();
		}
	}

	/** Starts {@code task} in the slot the caller acquired; the slot is released when the task ends. */
	void startAcquired(Task task, ThreadFactory threadFactory) {
		this.tasks.add(task);
		try {
			// the slot frees before the task leaves the group, so that join() returning means slots are free
			threadFactory.newThread(() -> task.run(() -> {
				release();
				this.tasks.remove(task);
			})).start();
		}
		catch (RuntimeException | Error ex) {
			this.tasks.remove(task);
			release();
			throw ex;
		}
	}

	void addSlotFreedListener(Runnable listener) {
		this.slotFreedListeners.add(listener);
	}

	void removeSlotFreedListener(Runnable listener) {
		this.slotFreedListeners.remove(listener);
	}

	@Override
	public String toString() {
		return "Pool(size=" + this.size + ", active=" + this.active.get() + ")";
	}

}
