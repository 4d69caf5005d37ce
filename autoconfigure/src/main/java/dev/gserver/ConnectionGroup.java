package dev.gserver;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Connections that messages are broadcast to, such as the clients of a chat room: Netty's
 * {@code ChannelGroup} for blocking handlers. Shared by the handlers; each joins with its
 * connection and leaves when done:
 *
 * <pre>{@code
 * ConnectionGroup room = new ConnectionGroup("chat");
 *
 * Handler chat = connection -> {
 *     FrameReader in = FrameReader.of(connection);
 *     try (ConnectionGroup.Member me = room.join(connection)) {
 *         for (String line; (line = in.readLine()) != null; ) {
 *             room.broadcast((line + "\n").getBytes(StandardCharsets.UTF_8), me);
 *         }
 *     }
 * };
 * }</pre>
 *
 * Each member has a queue of the messages not yet written to it, bounded in bytes, drained by a
 * writer thread of its own (virtual on Java 21+, named {@code <group>-writer-<n>}). A broadcast
 * only queues: it never waits on a member's socket, so a client that stops reading costs the
 * others nothing. A member whose queue would pass its bound is cut: it leaves the group, its
 * connection is closed at once (its handler's blocked read fails, and that is no handler error),
 * and it is counted in {@link #disconnectedSlowMembers()}. The writer writes through the
 * connection's own stream, so a socket that stops draining while the queue still has room is cut
 * by the server's write timeout ({@code gserver.write-timeout}), as a handler's own write would be.
 * <p>
 * A message is written whole or not at all: members see messages, never parts of them, in the
 * order they were queued for them. Two broadcasts from different threads at once may reach two
 * members in different orders; broadcasts from one thread reach every member in order.
 * <p>
 * Thread-safe: {@link #join}, {@link #broadcast} and {@link #close} may be called from any
 * thread, concurrently. A message is queued as is, not copied: do not change its array after
 * broadcasting it.
 */
public final class ConnectionGroup implements AutoCloseable {

	/** The bound of each member's queue unless the constructor says otherwise: 1 MiB. */
	public static final long DEFAULT_MAX_QUEUED_BYTES = 1024 * 1024;

	/**
	 * What a queued message counts for beyond its own bytes: its slot in the queue. Without it, a
	 * flood of one-byte messages would hold a million references per MiB of bound.
	 */
	public static final int MESSAGE_OVERHEAD = 16;

	private static final Logger logger = LoggerFactory.getLogger(ConnectionGroup.class);

	private final String name;

	private final long maxQueuedBytes;

	private final Set<Member> members = ConcurrentHashMap.newKeySet();

	private final ThreadFactory writers;

	private final AtomicLong slowMembers = new AtomicLong();

	/** Guards joining against closing, so that no member joins a closed group. */
	private final Object lock = new Object();

	private volatile boolean closed;

	/** A group whose members may each have up to {@link #DEFAULT_MAX_QUEUED_BYTES} queued. */
	public ConnectionGroup(String name) {
		this(name, DEFAULT_MAX_QUEUED_BYTES);
	}

	/**
	 * A group whose members may each have up to {@code maxQueuedBytesPerMember} queued: the bytes
	 * of the messages not yet written to it, each counted with {@link #MESSAGE_OVERHEAD}.
	 * @param name names the writer threads and the log lines
	 * @throws IllegalArgumentException when the bound cannot hold a one-byte message
	 */
	public ConnectionGroup(String name, long maxQueuedBytesPerMember) {
		this.name = Objects.requireNonNull(name, "name");
		if (maxQueuedBytesPerMember < 1 + MESSAGE_OVERHEAD) {
			throw new IllegalArgumentException("maxQueuedBytesPerMember must be at least " + (1 + MESSAGE_OVERHEAD)
					+ " (one byte and its overhead), got " + maxQueuedBytesPerMember);
		}
		this.maxQueuedBytes = maxQueuedBytesPerMember;
		this.writers = Threads.named(name + "-writer-");
	}

	/**
	 * Adds {@code connection} to the group and starts its writer thread. Call it on the handler's
	 * thread, before the handler writes: the connection's output stream is taken here.
	 * @return the membership: closing it leaves the group
	 * @throws IllegalStateException when the group is closed
	 */
	public Member join(Connection connection) throws IOException {
		Member member = new Member(Objects.requireNonNull(connection, "connection"));
		member.writer.start();
		synchronized (this.lock) {
			if (!this.closed) {
				this.members.add(member);
				return member;
			}
		}
		member.close();
		throw new IllegalStateException(this + " is closed");
	}

	/**
	 * Queues {@code message} for every member but {@code except}, without waiting for any of them;
	 * a member whose queue has no room for it is cut. An empty message is nothing to send.
	 * @param except the sender, not to be sent its own message; {@code null} for none
	 * @return how many members it was queued for
	 * @throws IllegalArgumentException when the message alone is larger than a member's bound
	 */
	public int broadcast(byte[] message, Member except) {
		long cost = message.length + MESSAGE_OVERHEAD;
		if (cost > this.maxQueuedBytes) {
			throw new IllegalArgumentException("A message of " + message.length + " bytes can never fit in the "
					+ this.maxQueuedBytes + " bytes a member of " + this + " may have queued");
		}
		if (message.length == 0) {
			return 0;
		}
		int queued = 0;
		for (Member member : this.members) {
			if (member != except && member.offer(message, cost)) {
				queued++;
			}
		}
		return queued;
	}

	/** Returns how many members the group has now. */
	public int size() {
		return this.members.size();
	}

	/** Returns how many members were cut because their queue would have passed its bound. */
	public long disconnectedSlowMembers() {
		return this.slowMembers.get();
	}

	public String getName() {
		return this.name;
	}

	public long getMaxQueuedBytesPerMember() {
		return this.maxQueuedBytes;
	}

	public boolean isClosed() {
		return this.closed;
	}

	/**
	 * Closes the group: every member leaves (their connections stay open, their handlers' to
	 * close), what was queued is dropped, and each writer thread ends once its write in progress,
	 * if any, has. Joining is refused from now on, and broadcasting reaches nobody. Closing again
	 * does nothing.
	 */
	@Override
	public void close() {
		synchronized (this.lock) {
			this.closed = true;
		}
		for (Member member : this.members) {
			member.leave();
		}
	}

	@Override
	public String toString() {
		return "ConnectionGroup(" + this.name + ", " + size() + " members)";
	}

	/**
	 * One connection's membership of the group: its queue, and the writer thread that drains it.
	 * Closing it leaves the group.
	 */
	public final class Member implements AutoCloseable {

		private final Connection connection;

		/** The connection's own stream: its writes are timed by the server's write timeout. */
		private final OutputStream out;

		/**
		 * Over {@link #out}, so that a batch of several messages costs one write: made on the first
		 * such batch, so that members that only ever get one message at a time (most, in a quiet
		 * group) hold no buffer. It holds whole messages only (a message that does not fit goes out
		 * after what is buffered, or straight through), and only the writer touches it.
		 */
		private @Nullable BufferedOutputStream buffered;

		private final Thread writer;

		private final ReentrantLock lock = new ReentrantLock();

		private final Condition notEmpty = this.lock.newCondition();

		/** The messages queued; swapped with {@link #writing} by the writer, so that nothing is allocated per batch. */
		private ArrayDeque<byte[]> queue = new ArrayDeque<>();

		/** The batch the writer is writing; the writer's alone between swaps. */
		private ArrayDeque<byte[]> writing = new ArrayDeque<>();

		/** What the queue and the batch in progress count for: the bound applies to both. Guarded by the lock. */
		private long pendingBytes;

		/** Set once, under the lock; read without it by the writer between messages. */
		private volatile boolean left;

		private Member(Connection connection) throws IOException {
			this.connection = connection;
			this.out = connection.getOutputStream();
			this.writer = ConnectionGroup.this.writers.newThread(this::drain);
		}

		/** Returns the member's connection. */
		public Connection getConnection() {
			return this.connection;
		}

		/** Returns the group. */
		public ConnectionGroup getGroup() {
			return ConnectionGroup.this;
		}

		/** Returns the bytes queued for this member and not yet written (with their overhead). */
		public long queuedBytes() {
			this.lock.lock();
			try {
				return this.pendingBytes;
			}
			finally {
				this.lock.unlock();
			}
		}

		/** Returns whether the member has left the group: closed, cut, its connection broken, or the group closed. */
		public boolean hasLeft() {
			return this.left;
		}

		/**
		 * Leaves the group, dropping what is still queued, and waits for the writer's write in
		 * progress, if any: once this returns, the handler may write to the connection itself (a
		 * last word) without its bytes mixing with a message. That write is bounded by the server's
		 * write timeout, as the handler's own would be. Closing again does nothing more.
		 */
		@Override
		public void close() {
			leave();
			if (Thread.currentThread() == this.writer) {
				return;
			}
			try {
				this.writer.join();
			}
			catch (InterruptedException ex) {
				// the handler is being killed: its connection is closed, so nothing follows that could mix
				Thread.currentThread().interrupt();
			}
		}

		/** Queues {@code message} unless the member left; cuts it when there is no room. */
		private boolean offer(byte[] message, long cost) {
			this.lock.lock();
			try {
				if (this.left) {
					return false;
				}
				if (this.pendingBytes + cost <= ConnectionGroup.this.maxQueuedBytes) {
					this.queue.add(message);
					this.pendingBytes += cost;
					this.notEmpty.signal();
					return true;
				}
				leaveLocked();
			}
			finally {
				this.lock.unlock();
			}
			cut();
			return false;
		}

		/** Too slow for its bound: counted, and its connection closed at once, from the broadcasting thread. */
		private void cut() {
			ConnectionGroup.this.slowMembers.incrementAndGet();
			logger.debug("Closing {} of {}: more than {} bytes queued for it", this.connection, ConnectionGroup.this,
					ConnectionGroup.this.maxQueuedBytes);
			if (this.connection instanceof SocketConnection) {
				((SocketConnection) this.connection).cut("slow");
			}
			else if (this.connection instanceof Client) {
				((Client) this.connection).abort();
			}
			else {
				try {
					this.connection.close();
				}
				catch (IOException ex) {
					// closed either way
				}
			}
		}

		/** Leaves the group without waiting: from a broadcast, the writer or the group's close. */
		private void leave() {
			this.lock.lock();
			try {
				if (this.left) {
					return;
				}
				leaveLocked();
			}
			finally {
				this.lock.unlock();
			}
		}

		private void leaveLocked() {
			this.left = true;
			this.queue.clear();
			this.pendingBytes = 0;
			// wakes the writer if it waits for messages; one writing sees left before its next message
			this.notEmpty.signal();
			ConnectionGroup.this.members.remove(this);
		}

		/** The writer thread: writes each batch queued, until the member leaves or the connection breaks. */
		private void drain() {
			try {
				for (long batch; (batch = takeBatch()) > 0;) {
					OutputStream out = (this.writing.size() == 1) ? this.out : buffered();
					for (byte[] message; (message = this.writing.poll()) != null;) {
						if (this.left) {
							return;
						}
						out.write(message);
					}
					out.flush();
					written(batch);
				}
			}
			catch (IOException ex) {
				// the client went away, or the server cut it (its write timeout): nothing more reaches it
				logger.debug("{} leaves {}: {}", this.connection, ConnectionGroup.this, ex.toString());
			}
			finally {
				this.writing.clear();
				leave();
			}
		}

		private OutputStream buffered() {
			if (this.buffered == null) {
				this.buffered = new BufferedOutputStream(this.out, 8 * 1024);
			}
			return this.buffered;
		}

		/** Waits for messages, then takes them all as the next batch; returns what they count for, or 0 once the member left. */
		private long takeBatch() {
			this.lock.lock();
			try {
				while (this.queue.isEmpty() && !this.left) {
					// nobody interrupts a writer on purpose; a stray interrupt must not end the membership
					this.notEmpty.awaitUninterruptibly();
				}
				if (this.left) {
					return 0;
				}
				ArrayDeque<byte[]> taken = this.queue;
				this.queue = this.writing;
				this.writing = taken;
				// nothing was in progress: everything pending is in this batch
				return this.pendingBytes;
			}
			finally {
				this.lock.unlock();
			}
		}

		private void written(long batch) {
			this.lock.lock();
			try {
				if (!this.left) {
					this.pendingBytes -= batch;
				}
			}
			finally {
				this.lock.unlock();
			}
		}

		/** The writer thread, for tests: it ends after the member left. */
		Thread writer() {
			return this.writer;
		}

		@Override
		public String toString() {
			return "Member(" + this.connection + " of " + ConnectionGroup.this.name + ")";
		}

	}

}
