package dev.gserver.test;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import org.jspecify.annotations.Nullable;

/**
 * One direction of an {@link EmbeddedConnection}: a bounded ring of bytes between a writer thread
 * and a reader thread, as a socket's buffers are. A writer waits while it is full, a reader while
 * it is empty, each until a deadline; the writer's close is the reader's end of stream once the
 * bytes before it are read; after the reader's close, writes fail or are dropped, as they are
 * for a peer gone away. {@code java.io.PipedInputStream} is not used: it polls, and fails once
 * the writing thread ends.
 */
final class BytePipe {

	private static final int INITIAL_CAPACITY = 1024;

	private final ReentrantLock lock = new ReentrantLock();

	private final Condition changed = this.lock.newCondition();

	private final int maxCapacity;

	/** The ring: {@link #count} bytes from {@link #head}, wrapping at the end. Grows up to maxCapacity. */
	private byte[] ring = new byte[INITIAL_CAPACITY];

	private int head;

	private int count;

	/** Set by the writer's close: the end of stream once the ring is empty. */
	private boolean writeClosed;

	/** Set by the reader's close: a read fails from then on, and a write is dropped or fails. */
	private boolean readClosed;

	/** What a write fails with once the reader closed; {@code null} drops what is written. */
	private @Nullable IOException writeFailure;

	BytePipe(int maxCapacity) {
		this.maxCapacity = maxCapacity;
	}

	/**
	 * Reads what is there, at most {@code length} bytes, waiting for at least one until
	 * {@code deadline} ({@link System#nanoTime()} terms; 0 waits for ever).
	 * @return the count read, or -1 at the end of stream
	 * @throws SocketTimeoutException past the deadline, as a socket's read timeout
	 */
	int read(byte[] bytes, int offset, int length, long deadline) throws IOException {
		if (length == 0) {
			return 0;
		}
		this.lock.lock();
		try {
			while (this.count == 0) {
				if (this.readClosed) {
					throw new IOException("Stream closed");
				}
				if (this.writeClosed) {
					return -1;
				}
				await(deadline, "Read timed out");
			}
			int read = Math.min(length, this.count);
			int first = Math.min(read, this.ring.length - this.head);
			System.arraycopy(this.ring, this.head, bytes, offset, first);
			System.arraycopy(this.ring, 0, bytes, offset + first, read - first);
			this.head = (this.head + read) % this.ring.length;
			this.count -= read;
			this.changed.signalAll();
			return read;
		}
		finally {
			this.lock.unlock();
		}
	}

	/** Writes all of {@code bytes}, waiting for room until {@code deadline} (0 waits for ever). */
	void write(byte[] bytes, int offset, int length, long deadline) throws IOException {
		this.lock.lock();
		try {
			while (length > 0) {
				// the writer's own close first: writing after it is the writer's mistake, whatever the reader did
				if (this.writeClosed) {
					throw new IOException("Stream closed");
				}
				if (this.readClosed) {
					if (this.writeFailure != null) {
						throw this.writeFailure;
					}
					return;
				}
				int free = room();
				if (free == 0) {
					await(deadline, "Write timed out: the reader takes nothing");
					continue;
				}
				int written = Math.min(free, length);
				int tail = (this.head + this.count) % this.ring.length;
				int first = Math.min(written, this.ring.length - tail);
				System.arraycopy(bytes, offset, this.ring, tail, first);
				System.arraycopy(bytes, offset + first, this.ring, 0, written - first);
				this.count += written;
				offset += written;
				length -= written;
				this.changed.signalAll();
			}
		}
		finally {
			this.lock.unlock();
		}
	}

	/** Returns the room for more bytes, growing the ring (never past its bound) when it is full. */
	private int room() {
		if (this.count == this.ring.length && this.ring.length < this.maxCapacity) {
			byte[] grown = new byte[Math.min(this.maxCapacity, this.ring.length * 2)];
			int first = Math.min(this.count, this.ring.length - this.head);
			System.arraycopy(this.ring, this.head, grown, 0, first);
			System.arraycopy(this.ring, 0, grown, first, this.count - first);
			this.ring = grown;
			this.head = 0;
		}
		return this.ring.length - this.count;
	}

	/** Returns the bytes there now, without waiting; empty when none. */
	byte[] drain() {
		this.lock.lock();
		try {
			byte[] bytes = new byte[this.count];
			int first = Math.min(this.count, this.ring.length - this.head);
			System.arraycopy(this.ring, this.head, bytes, 0, first);
			System.arraycopy(this.ring, 0, bytes, first, this.count - first);
			this.head = 0;
			this.count = 0;
			this.changed.signalAll();
			return bytes;
		}
		finally {
			this.lock.unlock();
		}
	}

	/** The writer is done: the reader gets the end of stream after the bytes already written. */
	void closeWrite() {
		this.lock.lock();
		try {
			this.writeClosed = true;
			this.changed.signalAll();
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * The reader is gone: what is buffered is dropped, and writes fail with {@code writeFailure},
	 * or are dropped when it is {@code null}, as a kernel takes bytes for a peer that has closed.
	 */
	void closeRead(@Nullable IOException writeFailure) {
		this.lock.lock();
		try {
			if (!this.readClosed) {
				this.readClosed = true;
				this.writeFailure = writeFailure;
			}
			this.count = 0;
			this.head = 0;
			this.changed.signalAll();
		}
		finally {
			this.lock.unlock();
		}
	}

	private void await(long deadline, String timeoutMessage) throws IOException {
		try {
			if (deadline == 0) {
				this.changed.await();
				return;
			}
			long left = deadline - System.nanoTime();
			if (left <= 0) {
				throw new SocketTimeoutException(timeoutMessage);
			}
			this.changed.awaitNanos(left);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new InterruptedIOException("Interrupted while waiting on an in-memory connection");
		}
	}

}
