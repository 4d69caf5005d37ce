package dev.gserver;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketException;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import org.jspecify.annotations.Nullable;

/**
 * One server's budget of bytes buffered for frames not yet complete: what the codecs hold for a
 * client between a frame's first byte and its last (a bulk string arriving, a line without its
 * end). Every client's frames are bounded on their own; this bounds them all together, so that
 * many clients each sending a large frame, each within the limits, cannot fill the heap.
 * <p>
 * While the budget is spent, a reader asking for more waits for it (backpressure: its client's
 * bytes stay in the kernel and TCP slows the client down), and allocates nothing meanwhile. The
 * client holding more than its fair share (the budget divided among the clients holding some) is
 * the one refused: a reader over it is refused at once, and one within it evicts the largest
 * holder over it, whose connection is closed. A wait ends at the reader's deadline, refused.
 * <p>
 * Each connection has an {@link Account}; closing the connection closes the account, which gives
 * back whatever it held, however its handler ended.
 */
public final class InputBudget {

	/**
	 * The budget unless set: a quarter of the heap's maximum. A handler's own allocations, the
	 * frames it already read and the rest of the application keep the other three quarters.
	 */
	public static final long DEFAULT_LIMIT = Runtime.getRuntime().maxMemory() / 4;

	/** The reason an evicted client is counted under, {@code gserver.frames.rejected}'s {@code over-budget}, as a codec's own refusal is. */
	static final String REFUSED = "over-budget";

	private final ReentrantLock lock = new ReentrantLock();

	private final Condition released = this.lock.newCondition();

	/** The accounts holding bytes; guarded by the lock. */
	private final Set<Account> holders = new HashSet<>();

	private volatile long limit;

	/** Bytes held by all accounts; written under the lock. */
	private volatile long used;

	private final LongAdder waits = new LongAdder();

	private final LongAdder refusals = new LongAdder();

	public InputBudget(long limit) {
		setLimit(limit);
	}

	public long getLimit() {
		return this.limit;
	}

	/** Sets the budget in bytes; lowering it below what is held refuses and evicts from the next request on. */
	public void setLimit(long limit) {
		if (limit < 1) {
			throw new IllegalArgumentException("inputBudget must be at least 1 byte, got " + limit);
		}
		this.limit = limit;
		signalAll();
	}

	/** Returns the bytes held now for frames in progress, by all clients. */
	public long getUsed() {
		return this.used;
	}

	/** Returns how many requests for bytes had to wait for the budget. */
	public long getWaitCount() {
		return this.waits.sum();
	}

	/** Returns how many clients were refused for the budget: refused when asking, or evicted. */
	public long getRefusalCount() {
		return this.refusals.sum();
	}

	/** Opens the account of a new connection; {@code owner} is told when it is evicted. */
	Account open(Owner owner) {
		return new Account(owner);
	}

	private void signalAll() {
		this.lock.lock();
		try {
			this.released.signalAll();
		}
		finally {
			this.lock.unlock();
		}
	}

	/** The connection an account belongs to. */
	interface Owner {

		boolean isOpen();

		/** The budget refuses the client: it holds more than its share. Called outside the budget's lock. */
		void evicted();

	}

	/** One connection's share of the budget. */
	final class Account {

		private final Owner owner;

		/** Bytes this account holds; guarded by the lock. */
		private long held;

		/**
		 * Refused for the frame in progress, or evicted: counted once, and not chosen again while
		 * its connection closes. Guarded by the lock.
		 */
		private boolean refused;

		private boolean closed;

		Account(Owner owner) {
			this.owner = owner;
		}

		/**
		 * Takes {@code bytes} more, waiting up to {@code deadlineNanos} (in {@link System#nanoTime()}
		 * terms) while the budget is spent.
		 * @return whether they were granted; when not, the client is over its share or waited too long
		 * @throws IOException when the connection closed, or the thread was interrupted, while waiting
		 */
		boolean reserve(long bytes, long deadlineNanos) throws IOException {
			boolean waited = false;
			InputBudget budget = InputBudget.this;
			for (;;) {
				@Nullable Account victim = null;
				budget.lock.lock();
				try {
					if (this.closed || !this.owner.isOpen()) {
						throw new SocketException("Connection closed while waiting for input budget");
					}
					if (budget.used + bytes <= budget.limit) {
						take(bytes);
						return true;
					}
					long share = budget.limit / (budget.holders.size() + (this.held == 0 ? 1 : 0));
					if (this.held + bytes > share) {
						refuse(this);
						return false;
					}
					// what evicted clients still hold comes back soon: evict more only if that will not do
					if (budget.used - evictedHeld() + bytes > budget.limit) {
						victim = largestOver(share);
					}
					if (victim == null) {
						if (!waited) {
							waited = true;
							budget.waits.increment();
						}
						long left = deadlineNanos - System.nanoTime();
						if (left <= 0) {
							refuse(this);
							return false;
						}
						// woken by a release or a close; looking again each second as well, so that an owner
						// closed without its account (a channel closed from outside) ends the wait all the same
						budget.released.awaitNanos(Math.min(left, TimeUnit.SECONDS.toNanos(1)));
						continue;
					}
					refuse(victim);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
					throw new InterruptedIOException("Interrupted while waiting for input budget");
				}
				finally {
					budget.lock.unlock();
				}
				// its connection closes, its handler ends, and what it held comes back
				victim.owner.evicted();
			}
		}

		/** Bytes held by evicted accounts whose connections are closing; guarded by the lock. */
		private long evictedHeld() {
			long held = 0;
			for (Account each : InputBudget.this.holders) {
				if (each.refused) {
					held += each.held;
				}
			}
			return held;
		}

		/** The account holding most above {@code share}, not evicted yet; guarded by the lock. */
		private @Nullable Account largestOver(long share) {
			Account largest = null;
			for (Account each : InputBudget.this.holders) {
				if (each != this && !each.refused && each.held > share && (largest == null || each.held > largest.held)) {
					largest = each;
				}
			}
			return largest;
		}

		/** Counts a refusal, once for a client however many of its threads learn of it; guarded by the lock. */
		private void refuse(Account account) {
			if (!account.refused) {
				account.refused = true;
				InputBudget.this.refusals.increment();
			}
		}

		private void take(long bytes) {
			if (this.held == 0 && bytes > 0) {
				// a frame starting afresh: a refusal of an earlier one is past
				this.refused = false;
				InputBudget.this.holders.add(this);
			}
			this.held += bytes;
			InputBudget.this.used += bytes;
		}

		/** Gives back {@code bytes} (at most what it holds), and wakes whoever waits for them. */
		void release(long bytes) {
			InputBudget budget = InputBudget.this;
			budget.lock.lock();
			try {
				long given = Math.min(bytes, this.held);
				if (given <= 0) {
					return;
				}
				this.held -= given;
				budget.used -= given;
				if (this.held == 0) {
					budget.holders.remove(this);
				}
				budget.released.signalAll();
			}
			finally {
				budget.lock.unlock();
			}
		}

		/** The connection closed: gives back all it holds, and wakes a reserve of its own that waits. */
		void close() {
			InputBudget budget = InputBudget.this;
			budget.lock.lock();
			try {
				this.closed = true;
				budget.released.signalAll();
			}
			finally {
				budget.lock.unlock();
			}
			release(Long.MAX_VALUE);
		}

	}

}
