package dev.gserver.codec;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.jspecify.annotations.Nullable;

import dev.gserver.Connection;
import dev.gserver.codec.FrameException.Reason;

/**
 * Reads Redis commands from one client, as Redis does: multi-bulk
 * ({@code *2\r\n$3\r\nGET\r\n$1\r\nk\r\n}, what client libraries send) and inline
 * ({@code GET k\r\n}, what a person types), with Redis's limits. One per connection; not
 * thread-safe.
 *
 * <pre>{@code
 * RespReader in = RespReader.of(connection);
 * RespWriter out = RespWriter.of(connection);
 * for (List<byte[]> command; (command = in.readCommand()) != null; ) {
 *     ...                               // write the reply
 *     out.flushUnlessPipelined(in);     // one write for a batch of pipelined commands
 * }
 * }</pre>
 *
 * Bounded whatever the client sends, with Redis's defaults: a bulk string of at most
 * {@link #maxBulkLength(long) 512 MiB} (proto-max-bulk-len), at most
 * {@link #maxArguments(int) 1024 * 1024} arguments, at most {@link #maxRequestSize(long) 512 MiB}
 * of bulk strings in one command, and an inline command line of at most
 * {@link #maxInlineLength(int) 64 KiB}. Each is refused the moment it is passed, from the
 * lengths a client declares; a declared length is never allocated before its bytes arrive. The
 * buffer is a {@link FrameReader}'s: it starts small, grows as bytes arrive and shrinks after a
 * large command.
 * <p>
 * Every refusal is a {@link FrameException} whose message is what Redis says after
 * {@code ERR Protocol error: } (for example {@code invalid bulk length}); it never holds a CR or
 * LF, so that it can go into an error reply as it is. After one, the connection's framing is lost:
 * answer and close.
 */
public final class RespReader {

	/** Redis's proto-max-bulk-len. */
	public static final long DEFAULT_MAX_BULK_LENGTH = 512L * 1024 * 1024;

	/** The most arguments of one command, as Redis had it before it allowed {@code INT_MAX}. */
	public static final int DEFAULT_MAX_ARGUMENTS = 1024 * 1024;

	/** The bulk strings of one command in all. */
	public static final long DEFAULT_MAX_REQUEST_SIZE = 512L * 1024 * 1024;

	/** Redis's PROTO_INLINE_MAX_SIZE. */
	public static final int DEFAULT_MAX_INLINE_LENGTH = 64 * 1024;

	/** The longest array a JVM allocates. */
	private static final long MAX_ARRAY = Integer.MAX_VALUE - 8;

	/** Past these, what one command needed is given back rather than kept for the connection's life. */
	private static final int KEEP_ARGUMENTS = 1024;

	private static final int KEEP_TOKEN = 4 * 1024;

	private static final byte[] EMPTY = {};

	private final FrameReader frames;

	private List<byte[]> arguments = new ArrayList<>();

	/** An inline argument being split; reused, as inline arguments are short. */
	private byte[] token = new byte[64];

	private int tokenLength;

	/** Bytes of the inline line read so far, its LF excluded. */
	private int lineLength;

	private long maxBulkLength = DEFAULT_MAX_BULK_LENGTH;

	private int maxArguments = DEFAULT_MAX_ARGUMENTS;

	private long maxRequestSize = DEFAULT_MAX_REQUEST_SIZE;

	private int maxInlineLength = DEFAULT_MAX_INLINE_LENGTH;

	private RespReader(FrameReader frames) {
		this.frames = frames;
	}

	/** Returns a reader of {@code connection}'s input, which reports refused commands to its meters. */
	public static RespReader of(Connection connection) throws IOException {
		return new RespReader(FrameReader.of(connection));
	}

	/** Returns a reader of a plain stream: for tests and for a transport of your own. */
	public static RespReader of(InputStream in) {
		return new RespReader(FrameReader.of(in));
	}

	/** Sets the longest bulk string; 512 MiB by default, and never more than a Java array holds. */
	public RespReader maxBulkLength(long maxBulkLength) {
		this.maxBulkLength = Math.min(requireNotNegative("maxBulkLength", maxBulkLength), MAX_ARRAY);
		return this;
	}

	/** Sets the most arguments of one command, its name included; 1024 * 1024 by default. */
	public RespReader maxArguments(int maxArguments) {
		if (maxArguments < 1) {
			throw new IllegalArgumentException("maxArguments must be at least 1, got " + maxArguments);
		}
		this.maxArguments = maxArguments;
		return this;
	}

	/** Sets the most bytes of bulk strings one command may carry in all; 512 MiB by default. */
	public RespReader maxRequestSize(long maxRequestSize) {
		this.maxRequestSize = requireNotNegative("maxRequestSize", maxRequestSize);
		return this;
	}

	/** Sets the longest inline command line, its CR LF or LF excluded; 64 KiB by default. */
	public RespReader maxInlineLength(int maxInlineLength) {
		if (maxInlineLength < 1) {
			throw new IllegalArgumentException("maxInlineLength must be at least 1, got " + maxInlineLength);
		}
		this.maxInlineLength = maxInlineLength;
		return this;
	}

	/** Sets how long a command may take from its first byte to its last; see {@link FrameReader#frameTimeout(Duration)}. */
	public RespReader frameTimeout(Duration frameTimeout) {
		this.frames.frameTimeout(frameTimeout);
		return this;
	}

	public long getMaxBulkLength() {
		return this.maxBulkLength;
	}

	public int getMaxArguments() {
		return this.maxArguments;
	}

	public long getMaxRequestSize() {
		return this.maxRequestSize;
	}

	public int getMaxInlineLength() {
		return this.maxInlineLength;
	}

	/**
	 * Returns whether input is buffered already: another command (or its start) has arrived, so
	 * that replies may wait to leave together; see {@link RespWriter#flushUnlessPipelined(RespReader)}.
	 */
	public boolean hasBuffered() {
		return this.frames.hasBuffered();
	}

	/**
	 * Reads one command.
	 * @return its arguments, the name first; empty for an empty line or {@code *0} (Redis skips
	 * those); {@code null} at a clean end of input between commands. The list is the reader's
	 * own, refilled by the next call: copy it to keep it. The arrays in it are new for each
	 * command and may be kept.
	 * @throws FrameException with the text of Redis's protocol error: too long, malformed,
	 * stalled, or truncated (the stream ended inside a command)
	 */
	public @Nullable List<byte[]> readCommand() throws IOException {
		if (this.arguments.size() > KEEP_ARGUMENTS) {
			this.arguments = new ArrayList<>();
		}
		this.arguments.clear();
		if (!this.frames.startFrame()) {
			return null;
		}
		if (this.frames.peekByte() == '*') {
			this.frames.readByte();
			readMultiBulk();
		}
		else {
			readInline();
		}
		this.frames.endFrame();
		return this.arguments;
	}

	private void readMultiBulk() throws IOException {
		long count = readNumber(this.maxArguments, "invalid multibulk length");
		// "*0" and "*-1" are empty commands, as Redis skips them; the count is only a promise,
		// so the list grows as the arguments arrive
		long size = 0;
		for (long i = 0; i < count; i++) {
			int marker = this.frames.readByte();
			if (marker != '$') {
				// a CR or LF in the message would end the error reply early: Redis writes spaces
				char shown = (marker == '\r' || marker == '\n') ? ' ' : (char) marker;
				throw this.frames.refused(Reason.MALFORMED, "expected '$', got '" + shown + "'");
			}
			long length = readNumber(this.maxBulkLength, "invalid bulk length");
			if (length < 0) {
				throw this.frames.refused(Reason.MALFORMED, "invalid bulk length");
			}
			size += length;
			if (size > this.maxRequestSize) {
				// refused from the lengths: many bulks each under the limit cannot add up past it
				throw this.frames.refused(Reason.TOO_LONG, "request too large");
			}
			this.arguments.add(readBulk((int) length));
		}
	}

	/** Reads a bulk string's bytes and the CR LF after them. */
	private byte[] readBulk(int length) throws IOException {
		// fast path: the whole bulk has arrived, as it mostly has when a client pipelines
		int position = this.frames.position;
		byte[] buffer = this.frames.buffer;
		if (this.frames.limit - position >= length + 2L && buffer[position + length] == '\r'
				&& buffer[position + length + 1] == '\n') {
			// a command's small bulks add up: counted as the large ones are
			this.frames.allocating(length);
			this.frames.position = position + length + 2;
			return Arrays.copyOfRange(buffer, position, position + length);
		}
		byte[] bulk = this.frames.readBytes(length, EMPTY);
		if (this.frames.readByte() != '\r' || this.frames.readByte() != '\n') {
			throw this.frames.refused(Reason.MALFORMED, "expected CRLF after a bulk string");
		}
		return bulk;
	}

	/**
	 * Reads a decimal number and the CR LF after it, as Redis's string2ll takes it: no sign but
	 * '-', no leading zero. One above {@code max} is refused at the digit that passes it.
	 */
	private long readNumber(long max, String error) throws IOException {
		// fast path: a positive number within the limit, its CR LF buffered; anything else, the
		// slow path reads again from the same byte and says what is wrong
		byte[] buffer = this.frames.buffer;
		int start = this.frames.position;
		int limit = this.frames.limit;
		if (start < limit && buffer[start] >= '1' && buffer[start] <= '9') {
			long value = 0;
			int i = start;
			for (; i < limit && i - start < 18 && buffer[i] >= '0' && buffer[i] <= '9'; i++) {
				value = value * 10 + (buffer[i] - '0');
			}
			if (i + 1 < limit && buffer[i] == '\r' && buffer[i + 1] == '\n' && value <= max) {
				this.frames.position = i + 2;
				return value;
			}
		}
		int b = this.frames.readByte();
		boolean negative = b == '-';
		if (negative) {
			b = this.frames.readByte();
		}
		if (b < '0' || b > '9' || (negative && b == '0')) {
			throw this.frames.refused(Reason.MALFORMED, error);
		}
		long value = b - '0';
		int digits = 1;
		while ((b = this.frames.readByte()) != '\r') {
			// 18 digits never overflow a long
			if (b < '0' || b > '9' || value == 0 || ++digits > 18) {
				throw this.frames.refused(Reason.MALFORMED, error);
			}
			value = value * 10 + (b - '0');
			if (!negative && value > max) {
				throw this.frames.refused(Reason.TOO_LONG, error);
			}
		}
		if (this.frames.readByte() != '\n') {
			throw this.frames.refused(Reason.MALFORMED, error);
		}
		if (!negative && value > max) {
			throw this.frames.refused(Reason.TOO_LONG, error);
		}
		return negative ? -value : value;
	}

	/**
	 * Reads an inline command, split as Redis's sdssplitargs splits it: arguments separated by
	 * whitespace; in double quotes, the escapes {@code \n \r \t \b \a \\ \"} and {@code \xHH}; in
	 * single quotes, {@code \'} only; a closing quote followed by anything but whitespace or the
	 * end of the line is an error, as is a quote never closed. Checked against redis-server 7.0
	 * on thousands of random lines of quotes, escapes and whitespace. Split as the bytes come, so
	 * that an error is refused at once.
	 * <p>
	 * A NUL byte is refused: Redis looks for the line's end with {@code strchr}, which stops at
	 * it, so Redis never takes such a line and waits until the inline limit is passed.
	 */
	private void readInline() throws IOException {
		this.lineLength = 0;
		this.tokenLength = 0;
		boolean inToken = false;
		int quote = 0;
		int b;
		while ((b = lineByte()) != '\n') {
			if (b == 0) {
				throw this.frames.refused(Reason.MALFORMED, "NUL byte in inline request");
			}
			if (quote == '"') {
				if (b == '\\') {
					escaped();
				}
				else if (b == '"') {
					closingQuote();
					quote = 0;
					inToken = false;
				}
				else {
					append(b);
				}
			}
			else if (quote == '\'') {
				if (b == '\\' && this.frames.peekByte() == '\'') {
					append(lineByte());
				}
				else if (b == '\'') {
					closingQuote();
					quote = 0;
					inToken = false;
				}
				else {
					append(b);
				}
			}
			else if (inToken ? (b == ' ' || b == '\r' || b == '\t') : isSpace(b)) {
				// any whitespace separates arguments, but only these end one: a vertical tab or form
				// feed inside an argument is kept, as Redis keeps it
				if (inToken) {
					addToken();
					inToken = false;
				}
			}
			else {
				inToken = true;
				if (b == '"' || b == '\'') {
					quote = b;
				}
				else {
					append(b);
				}
			}
		}
		if (quote != 0) {
			throw unbalanced();
		}
		if (inToken) {
			addToken();
		}
		if (this.token.length > KEEP_TOKEN) {
			this.token = new byte[64];
		}
	}

	/** Takes the escape after a backslash in double quotes. */
	private void escaped() throws IOException {
		int c = lineByte();
		if (c == '\n') {
			throw unbalanced();
		}
		if (c == 0) {
			throw this.frames.refused(Reason.MALFORMED, "NUL byte in inline request");
		}
		if (c == 'x' && isHex(this.frames.peekByte())) {
			int high = lineByte();
			if (isHex(this.frames.peekByte())) {
				append(hex(high) << 4 | hex(lineByte()));
			}
			else {
				// "\x" and one hex digit: Redis keeps the x and the digit
				append('x');
				append(high);
			}
			return;
		}
		switch (c) {
			case 'n' -> append('\n');
			case 'r' -> append('\r');
			case 't' -> append('\t');
			case 'b' -> append('\b');
			case 'a' -> append(7);
			default -> append(c);
		}
	}

	/** A closing quote ends its argument, and must be followed by whitespace or the end of the line. */
	private void closingQuote() throws IOException {
		int next = this.frames.peekByte();
		// a NUL is refused as such when it is read
		if (next != '\n' && next != 0 && !isSpace(next)) {
			throw unbalanced();
		}
		addToken();
	}

	/** Reads a byte of the inline line; the line is refused the moment it is longer than the limit. */
	private int lineByte() throws IOException {
		int b = this.frames.readByte();
		// one more for the CR of a CR LF
		if (b != '\n' && ++this.lineLength > this.maxInlineLength + 1L) {
			throw this.frames.refused(Reason.TOO_LONG, "too big inline request");
		}
		return b;
	}

	private void append(int b) {
		if (this.tokenLength == this.token.length) {
			this.token = Arrays.copyOf(this.token, this.token.length * 2);
		}
		this.token[this.tokenLength++] = (byte) b;
	}

	private void addToken() throws FrameException {
		if (this.arguments.size() >= this.maxArguments) {
			throw this.frames.refused(Reason.TOO_LONG, "invalid multibulk length");
		}
		this.arguments.add(Arrays.copyOf(this.token, this.tokenLength));
		this.tokenLength = 0;
	}

	private FrameException unbalanced() {
		return this.frames.refused(Reason.MALFORMED, "unbalanced quotes in request");
	}

	/** C's isspace. */
	private static boolean isSpace(int b) {
		return b == ' ' || b == '\t' || b == '\n' || b == '\r' || b == 0x0B || b == '\f';
	}

	private static boolean isHex(int b) {
		return (b >= '0' && b <= '9') || (b >= 'a' && b <= 'f') || (b >= 'A' && b <= 'F');
	}

	private static int hex(int b) {
		return (b <= '9') ? b - '0' : (b | 0x20) - 'a' + 10;
	}

	private static long requireNotNegative(String name, long value) {
		if (value < 0) {
			throw new IllegalArgumentException(name + " must not be negative, got " + value);
		}
		return value;
	}

}
