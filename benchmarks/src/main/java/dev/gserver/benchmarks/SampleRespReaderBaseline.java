package dev.gserver.benchmarks;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * The sample application's own RESP reader before issue 13 (dev.gserver.sample.RespReader at
 * commit 5f008fd), kept unchanged but for its name as {@link RespBenchmark}'s baseline: the
 * measuring stick of the core's {@link dev.gserver.codec.RespReader}. Not used anywhere else.
 * <p>
 * Reads Redis commands (RESP2) from a client: multi-bulk ({@code *2\r\n$3\r\nGET\r\n$1\r\nk\r\n})
 * and inline ({@code GET k\r\n}). Buffered, so that pipelined commands cost one read for many.
 */
final class SampleRespReaderBaseline {

	/** Redis's limit for one inline command line. */
	private static final int MAX_INLINE_LENGTH = 64 * 1024;

	/** Redis's limit for the number of arguments of one command. */
	private static final int MAX_MULTIBULK_LENGTH = 1024 * 1024;

	private final InputStream in;

	private final long maxBulkLength;

	private final long maxRequestSize;

	private final List<byte[]> arguments = new ArrayList<>();

	/**
	 * Small for the many idle connections a server holds; it doubles, up to 16 KiB, when a read
	 * fills it (a pipelining client).
	 */
	private byte[] buffer = new byte[INITIAL_BUFFER];

	private static final int INITIAL_BUFFER = 512;

	private static final int MAX_BUFFER = 16 * 1024;

	private int position;

	private int limit;

	/** Bulk strings up to this size are allocated at once; longer ones grow as their bytes arrive. */
	private static final int ALLOCATE_AT_ONCE = 64 * 1024;

	/**
	 * @param maxBulkLength the longest bulk string accepted
	 * @param maxRequestSize the most bytes of bulk strings one command may carry in all
	 */
	SampleRespReaderBaseline(InputStream in, long maxBulkLength, long maxRequestSize) {
		this.in = in;
		// a Java array holds at most about 2^31 bytes
		this.maxBulkLength = Math.min(maxBulkLength, Integer.MAX_VALUE - 8);
		this.maxRequestSize = maxRequestSize;
	}

	/** Returns whether a command is already buffered, so that replies may wait to be flushed together. */
	boolean hasBufferedInput() {
		return this.position < this.limit;
	}

	/**
	 * Reads one command, as its arguments; {@code null} at end of stream between commands, and an
	 * empty list for an empty inline line. The list is the reader's own, valid until the next call.
	 * @throws ProtocolException when the client does not speak RESP
	 */
	List<byte[]> readCommand() throws IOException {
		if (!fillBetweenCommands()) {
			return null;
		}
		if (this.buffer[this.position] == '*') {
			this.position++;
			return readMultiBulk();
		}
		return readInline();
	}

	private List<byte[]> readMultiBulk() throws IOException {
		long count = readNumber(MAX_MULTIBULK_LENGTH, "invalid multibulk length");
		// the header is only a promise: room grows as the arguments arrive
		List<byte[]> arguments = reusedArguments();
		long size = 0;
		for (long i = 0; i < count; i++) {
			int marker = readByte();
			if (marker != '$') {
				// the message becomes an error line: a CR or LF in it would end the reply early, so
				// they are spaces, as Redis writes them
				char shown = (marker == '\r' || marker == '\n') ? ' ' : (char) marker;
				throw new ProtocolException("expected '$', got '" + shown + "'");
			}
			long length = readNumber(this.maxBulkLength, "invalid bulk length");
			if (length < 0) {
				throw new ProtocolException("invalid bulk length");
			}
			size += length;
			if (size > this.maxRequestSize) {
				// refused as its length is read: many bulks each under the limit cannot add up past it
				throw new ProtocolException("request too large");
			}
			arguments.add(readBulk((int) length));
		}
		return arguments;
	}

	/** Reads a decimal number ending the line; beyond {@code max} it is refused before anything is allocated. */
	private long readNumber(long max, String error) throws IOException {
		long value = 0;
		boolean negative = false;
		int digits = 0;
		int b = readByte();
		if (b == '-') {
			negative = true;
			b = readByte();
		}
		while (b != '\r') {
			if (b < '0' || b > '9' || ++digits > 18) {
				throw new ProtocolException(error);
			}
			value = value * 10 + (b - '0');
			if (value > max) {
				throw new ProtocolException(error);
			}
			b = readByte();
		}
		if (digits == 0 || readByte() != '\n') {
			throw new ProtocolException(error);
		}
		return negative ? -value : value;
	}

	/**
	 * Reads a bulk string of {@code length} bytes. A long one is not allocated from its header
	 * alone, which any client may send: its array grows, doubling, as the bytes arrive.
	 */
	private byte[] readBulk(int length) throws IOException {
		byte[] bulk = new byte[Math.min(length, ALLOCATE_AT_ONCE)];
		int copied = 0;
		while (copied < length) {
			if (!fill()) {
				throw new EOFException("client closed inside a bulk string");
			}
			if (copied == bulk.length) {
				bulk = java.util.Arrays.copyOf(bulk, (int) Math.min(length, 2L * bulk.length));
			}
			int chunk = Math.min(bulk.length - copied, this.limit - this.position);
			System.arraycopy(this.buffer, this.position, bulk, copied, chunk);
			this.position += chunk;
			copied += chunk;
		}
		if (readByte() != '\r' || readByte() != '\n') {
			throw new ProtocolException("expected CRLF after a bulk string");
		}
		return bulk;
	}

	/** Reads an inline command: words separated by whitespace as Redis splits them, up to LF. */
	private List<byte[]> readInline() throws IOException {
		List<byte[]> arguments = reusedArguments();
		byte[] word = new byte[32];
		int wordLength = 0;
		int lineLength = 0;
		int b;
		while ((b = readByte()) != '\n') {
			if (++lineLength > MAX_INLINE_LENGTH) {
				throw new ProtocolException("too big inline request");
			}
			if (b == ' ' || b == '\t' || b == '\r' || b == 0x0B || b == '\f') {
				if (wordLength > 0) {
					arguments.add(java.util.Arrays.copyOf(word, wordLength));
					wordLength = 0;
				}
				continue;
			}
			if (wordLength == word.length) {
				word = java.util.Arrays.copyOf(word, word.length * 2);
			}
			word[wordLength++] = (byte) b;
		}
		if (wordLength > 0) {
			arguments.add(java.util.Arrays.copyOf(word, wordLength));
		}
		return arguments;
	}

	/** The list each command's arguments are read into, emptied: one per connection, not one per command. */
	private List<byte[]> reusedArguments() {
		this.arguments.clear();
		return this.arguments;
	}

	private int readByte() throws IOException {
		if (!fill()) {
			throw new EOFException("client closed inside a command");
		}
		return this.buffer[this.position++] & 0xff;
	}

	/**
	 * Like {@link #fill()}, where a command would start: a client that resets the connection
	 * there (as Jedis does on close) has simply left.
	 */
	private boolean fillBetweenCommands() throws IOException {
		try {
			return fill();
		}
		catch (java.net.SocketException ex) {
			if (ex.getMessage() != null && ex.getMessage().contains("reset")) {
				return false;
			}
			throw ex;
		}
	}

	/** Makes sure a byte is buffered; false at end of stream. */
	private boolean fill() throws IOException {
		if (this.position < this.limit) {
			return true;
		}
		if (this.limit == this.buffer.length && this.buffer.length < MAX_BUFFER) {
			// the last read filled the buffer: everything in it is consumed, so it can grow now
			this.buffer = new byte[this.buffer.length * 2];
		}
		int read = this.in.read(this.buffer, 0, this.buffer.length);
		if (read <= 0) {
			return false;
		}
		this.position = 0;
		this.limit = read;
		return true;
	}

	/** The client sent something that is not RESP; Redis answers "-ERR Protocol error: ..." and closes. */
	static final class ProtocolException extends IOException {

		private static final long serialVersionUID = 1L;

		ProtocolException(String message) {
			super(message);
		}

	}

}
