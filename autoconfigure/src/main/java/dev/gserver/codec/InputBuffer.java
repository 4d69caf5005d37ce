package dev.gserver.codec;

import java.io.IOException;
import java.io.InputStream;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

import dev.gserver.Connection;
import dev.gserver.codec.FrameException.Reason;

/**
 * One client's input buffer, under the readers: it starts small, grows only as bytes arrive (never
 * from a length the client declared), shrinks back after a large frame, bounds a frame by its
 * deadline, and reports each refusal to the connection. What a frame in progress allocates past
 * {@link #UNCHARGED} bytes is charged to the server's input budget
 * ({@link Connection#reserveInput(long)}) before it is allocated, and given back when the frame
 * ends. {@link FrameReader} reads its framings
 * over it, and {@link RespReader} RESP.
 */
abstract class InputBuffer {

	static final int INITIAL_CAPACITY = 256;

	/** A buffer grown past this for a large frame is given back once the frame is read. */
	static final int SHRINK_ABOVE = 64 * 1024;

	/** How far the buffer grows to read ahead for a client that sends a lot (pipelining). */
	static final int READ_AHEAD = 16 * 1024;

	/** A counted frame's array is allocated in steps of at most this, as its bytes arrive. */
	static final int ALLOCATE_AT_ONCE = 64 * 1024;

	/** What a frame may allocate before it is charged to the input budget: a small frame costs no lock. */
	static final int UNCHARGED = READ_AHEAD;

	final InputStream in;

	/** The connection read, for the frame deadline and refusal reports; {@code null} for a plain stream. */
	final @Nullable Connection connection;

	/** How long a frame may take from its first byte to its last; zero for no limit. */
	Duration frameTimeout = Duration.ZERO;

	byte[] buffer = new byte[INITIAL_CAPACITY];

	/** The next byte to read; bytes from here to {@link #limit} are buffered. */
	int position;

	int limit;

	/** When the frame being read must be complete, in {@link System#nanoTime()}; 0 between frames. */
	private long frameDeadline;

	boolean inFrame;

	/** Bytes the frame in progress allocated so far. */
	private long frameBytes;

	/** Bytes of the input budget the frame in progress holds. */
	private long charged;

	/** Whether the last read filled the buffer: the client sends more than it holds. */
	private boolean lastReadFilled;

	InputBuffer(InputStream in, @Nullable Connection connection) {
		this.in = in;
		this.connection = connection;
	}

	/** Waits for a frame's first byte; false at a clean end of input (or a reset) between frames. */
	boolean startFrame() throws IOException {
		if (this.position == this.limit) {
			try {
				if (readMore() < 0) {
					return false;
				}
			}
			catch (SocketException ex) {
				// a client that resets the connection between frames (as some do on close) has left
				if (ex.getMessage() != null && ex.getMessage().contains("reset")) {
					return false;
				}
				throw ex;
			}
		}
		beginFrame();
		return true;
	}

	void beginFrame() {
		this.inFrame = true;
		releaseCharged();
		if (!this.frameTimeout.isZero() && this.connection != null) {
			// never 0, which means "no deadline"
			this.frameDeadline = (System.nanoTime() + this.frameTimeout.toNanos()) | 1;
			this.connection.setReadDeadline(this.frameDeadline);
		}
	}

	/** A frame was read whole: the deadline ends, and a buffer grown for it is given back. */
	void endFrame() {
		this.inFrame = false;
		releaseCharged();
		if (this.frameDeadline != 0) {
			this.frameDeadline = 0;
			// only beginFrame sets a deadline, and only with a connection
			Objects.requireNonNull(this.connection).setReadDeadline(0);
		}
		int buffered = this.limit - this.position;
		if (this.buffer.length > SHRINK_ABOVE && buffered <= READ_AHEAD) {
			this.buffer = Arrays.copyOfRange(this.buffer, this.position, this.position + Math.max(READ_AHEAD, buffered));
			this.limit = buffered;
			this.position = 0;
		}
	}

	/** Reads one byte of the frame being read. */
	int readByte() throws IOException {
		if (this.position == this.limit) {
			fillMore(this.buffer.length);
		}
		return this.buffer[this.position++] & 0xff;
	}

	/** Returns the next byte of the frame being read without taking it. */
	int peekByte() throws IOException {
		if (this.position == this.limit) {
			fillMore(this.buffer.length);
		}
		return this.buffer[this.position] & 0xff;
	}

	/** Reads {@code length} more bytes of the frame after {@code prefix}, into an array that grows as they arrive. */
	byte[] readBytes(int length, byte[] prefix) throws IOException {
		long total = (long) prefix.length + length;
		int first = (int) Math.min(total, prefix.length + ALLOCATE_AT_ONCE);
		allocating(first - prefix.length);
		byte[] bytes = Arrays.copyOf(prefix, first);
		int filled = prefix.length;
		while (filled < total) {
			if (filled == bytes.length) {
				int grown = (int) Math.min(total, 2L * bytes.length);
				allocating(grown - bytes.length);
				bytes = Arrays.copyOf(bytes, grown);
			}
			if (this.position == this.limit) {
				fillMore(this.buffer.length);
			}
			int chunk = Math.min(bytes.length - filled, this.limit - this.position);
			System.arraycopy(this.buffer, this.position, bytes, filled, chunk);
			this.position += chunk;
			filled += chunk;
		}
		return bytes;
	}

	void skip(int count) throws IOException {
		for (int left = count; left > 0;) {
			if (this.position == this.limit) {
				fillMore(this.buffer.length);
			}
			int chunk = Math.min(left, this.limit - this.position);
			this.position += chunk;
			left -= chunk;
		}
	}

	/**
	 * Reads more bytes of the frame being read, growing the buffer up to {@code cap} when it is
	 * full of them; the end of the stream here cuts the frame short.
	 */
	void fillMore(int cap) throws IOException {
		if (this.position > 0 && this.limit == this.buffer.length) {
			System.arraycopy(this.buffer, this.position, this.buffer, 0, this.limit - this.position);
			this.limit -= this.position;
			this.position = 0;
		}
		if (this.limit == this.buffer.length) {
			// doubling in long arithmetic: a buffer near 1 GiB must not overflow into a negative size
			int grown = (int) Math.min(Math.max(cap, this.buffer.length), 2L * this.buffer.length);
			if (grown <= this.buffer.length) {
				throw refused(Reason.TOO_LONG, "a frame does not fit in " + this.buffer.length + " bytes");
			}
			allocating(grown - this.buffer.length);
			this.buffer = Arrays.copyOf(this.buffer, grown);
		}
		if (readMore() < 0) {
			throw refused(Reason.TRUNCATED, "the stream ended inside a frame");
		}
	}

	/** Reads what the stream has into the free end of the buffer, within the frame's deadline. */
	private int readMore() throws IOException {
		if (this.position == this.limit) {
			this.position = 0;
			this.limit = 0;
			if (this.buffer.length < READ_AHEAD && this.lastReadFilled) {
				// the client sends more than the buffer holds: read ahead in larger steps
				this.buffer = new byte[this.buffer.length * 2];
			}
		}
		int free = this.buffer.length - this.limit;
		int read;
		try {
			read = this.in.read(this.buffer, this.limit, free);
		}
		catch (SocketTimeoutException ex) {
			if (this.frameDeadline != 0 && System.nanoTime() - this.frameDeadline >= 0) {
				throw refused(Reason.STALLED, "a frame took longer than " + this.frameTimeout.toMillis() + " ms", ex);
			}
			throw ex;
		}
		if (read > 0) {
			this.limit += read;
			this.lastReadFilled = read == free;
		}
		return read;
	}

	/**
	 * Notes that the frame in progress allocates {@code bytes} more, charging the input budget
	 * first for what passes {@link #UNCHARGED}: this may wait for budget, or refuse the frame.
	 */
	void allocating(long bytes) throws IOException {
		this.frameBytes += bytes;
		long due = this.frameBytes - UNCHARGED - this.charged;
		if (due > 0 && this.connection != null) {
			if (!this.connection.reserveInput(due)) {
				throw refused(Reason.OVER_BUDGET, "the server's input budget is spent, and this client holds more than"
						+ " its share of it (" + (this.frameBytes - bytes) + " bytes of one frame)");
			}
			this.charged += due;
		}
	}

	private void releaseCharged() {
		this.frameBytes = 0;
		if (this.charged > 0) {
			// charged only with a connection
			Objects.requireNonNull(this.connection).releaseInput(this.charged);
			this.charged = 0;
		}
	}

	int indexOf(byte target, int from) {
		for (int i = from; i < this.limit; i++) {
			if (this.buffer[i] == target) {
				return i;
			}
		}
		return -1;
	}

	int indexOf(byte[] target, int from) {
		outer: for (int i = from; i <= this.limit - target.length; i++) {
			for (int j = 0; j < target.length; j++) {
				if (this.buffer[i + j] != target[j]) {
					continue outer;
				}
			}
			return i;
		}
		return -1;
	}

	/** Returns the refusal to throw, reported first to the connection (the {@code gserver.frames.rejected} meter). */
	FrameException refused(Reason reason, String message) {
		return refused(reason, message, null);
	}

	FrameException refused(Reason reason, String message, @Nullable Throwable cause) {
		// a refusal ends the frame: its deadline must not go on bounding the handler's next read
		this.inFrame = false;
		releaseCharged();
		if (this.frameDeadline != 0) {
			this.frameDeadline = 0;
			// only beginFrame sets a deadline, and only with a connection
			Objects.requireNonNull(this.connection).setReadDeadline(0);
		}
		if (this.connection != null) {
			this.connection.frameRejected(reason.tag());
		}
		return new FrameException(reason, message, cause);
	}

	static int saturatedInt(long value) {
		return (int) Math.min(Integer.MAX_VALUE, value);
	}

	static int requirePositive(String name, int value) {
		if (value < 1) {
			throw new IllegalArgumentException(name + " must be at least 1, got " + value);
		}
		return value;
	}

}
