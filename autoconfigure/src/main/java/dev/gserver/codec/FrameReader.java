package dev.gserver.codec;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

import dev.gserver.Connection;
import dev.gserver.codec.FrameException.Reason;

/**
 * Reads frames from one client with blocking calls: lines, delimited frames, length-prefixed
 * frames and exact byte counts, mixed as the protocol needs. One per connection; not
 * thread-safe.
 *
 * <pre>{@code
 * FrameReader in = FrameReader.of(connection);          // lines up to 8 KiB, CR LF or LF, UTF-8
 * for (String line; (line = in.readLine()) != null; ) {
 *     ...
 * }
 * }</pre>
 *
 * Bounded whatever the client sends: a line or delimited frame longer than
 * {@link #maxLineLength(int)} (8 KiB) and a counted frame longer than
 * {@link #maxFrameLength(int)} (1 MiB) are refused the moment the limit is passed, and a length
 * a client declares is never allocated before its bytes arrive. The buffer starts at 256 bytes,
 * grows only as bytes arrive, and shrinks back after a large frame. With a
 * {@link #frameTimeout(Duration) frame timeout}, a frame that has begun must be complete within
 * it. Every refusal is a {@link FrameException} with its reason, also reported to the connection
 * for the {@code gserver.frames.rejected} meter. A clean end of stream between frames is the end
 * of input: the read methods return {@code null}.
 */
public final class FrameReader extends InputBuffer {

	private LineEnding lineEnding = LineEnding.ANY;

	private int maxLineLength = 8 * 1024;

	private int maxFrameLength = 1024 * 1024;

	private Charset charset = StandardCharsets.UTF_8;

	/** The charset's strict decoder, made once: making one per line cost as much as reading the line. */
	private @Nullable CharsetDecoder decoder;

	/** Whether ASCII bytes mean ASCII characters in the charset, so that an ASCII line needs no decoder. */
	private boolean asciiCompatible = true;

	private FrameReader(InputStream in, @Nullable Connection connection) {
		super(in, connection);
	}

	/**
	 * Returns a reader of {@code connection}'s input, which reports refused frames and honours a
	 * frame timeout: the server's ({@link Connection#getFrameTimeout()}, {@code gserver.frame-timeout})
	 * unless {@link #frameTimeout(Duration)} changes it.
	 */
	public static FrameReader of(Connection connection) throws IOException {
		return new FrameReader(connection.getInputStream(), connection).frameTimeout(connection.getFrameTimeout());
	}

	/** Returns a reader of a plain stream: for tests and for a transport of your own; no frame timeout. */
	public static FrameReader of(InputStream in) {
		return new FrameReader(Objects.requireNonNull(in, "in"), null);
	}

	/** Sets where lines end; {@link LineEnding#ANY} (CR LF or LF) by default. */
	public FrameReader lineEnding(LineEnding lineEnding) {
		this.lineEnding = Objects.requireNonNull(lineEnding, "lineEnding");
		return this;
	}

	/** Sets the longest line or delimited frame, terminator excluded; 8 KiB by default. */
	public FrameReader maxLineLength(int maxLineLength) {
		this.maxLineLength = requirePositive("maxLineLength", maxLineLength);
		return this;
	}

	/** Sets the longest length-prefixed frame (header included) or exact read; 1 MiB by default. */
	public FrameReader maxFrameLength(int maxFrameLength) {
		this.maxFrameLength = requirePositive("maxFrameLength", maxFrameLength);
		return this;
	}

	/** Sets the charset of {@link #readLine()}; UTF-8 by default. Malformed input is refused, never replaced. */
	public FrameReader charset(Charset charset) {
		this.charset = Objects.requireNonNull(charset, "charset");
		this.decoder = null;
		this.asciiCompatible = charset.equals(StandardCharsets.UTF_8) || charset.equals(StandardCharsets.US_ASCII)
				|| charset.equals(StandardCharsets.ISO_8859_1);
		return this;
	}

	/**
	 * Sets how long a frame may take from its first byte to its last, so that a client sending a
	 * byte every few seconds cannot hold a handler for ever; zero for no limit. A reader
	 * {@link #of(Connection) of a connection} starts with the server's frame timeout (30 seconds
	 * unless configured), one of a plain stream with none. Needs a connection that supports read
	 * timeouts (TCP).
	 */
	public FrameReader frameTimeout(Duration frameTimeout) {
		if (frameTimeout == null || frameTimeout.isNegative()) {
			throw new IllegalArgumentException("frameTimeout must not be negative, got " + frameTimeout);
		}
		this.frameTimeout = frameTimeout;
		return this;
	}

	public int getMaxLineLength() {
		return this.maxLineLength;
	}

	public int getMaxFrameLength() {
		return this.maxFrameLength;
	}

	/** Returns whether bytes are buffered already: the next frame may be there without blocking. */
	public boolean hasBuffered() {
		return this.position < this.limit;
	}

	/** Returns the size of the buffer, for tests of its growth and shrinking. */
	int capacity() {
		return this.buffer.length;
	}

	/**
	 * Reads a line, decoded with the charset.
	 * @return the line without its terminator, or {@code null} at the end of input
	 * @throws FrameException too long, malformed (a bad terminator, undecodable bytes), stalled or truncated
	 */
	public @Nullable String readLine() throws IOException {
		byte[] line = readLineBytes();
		if (line == null) {
			return null;
		}
		if (this.asciiCompatible && isAscii(line)) {
			// the common case without a decoder: ASCII reads the same in UTF-8, US-ASCII and ISO-8859-1
			return new String(line, StandardCharsets.ISO_8859_1);
		}
		if (this.decoder == null) {
			this.decoder = this.charset.newDecoder()
				.onMalformedInput(CodingErrorAction.REPORT)
				.onUnmappableCharacter(CodingErrorAction.REPORT);
		}
		try {
			// decode(ByteBuffer) resets the decoder first: reusing it is safe after a failure too
			return this.decoder.decode(ByteBuffer.wrap(line)).toString();
		}
		catch (CharacterCodingException ex) {
			throw refused(Reason.MALFORMED, "a line is not valid " + this.charset.name(), ex);
		}
	}

	private static boolean isAscii(byte[] bytes) {
		for (byte b : bytes) {
			if (b < 0) {
				return false;
			}
		}
		return true;
	}

	/** Reads a line as bytes; see {@link #readLine()}. */
	public byte @Nullable [] readLineBytes() throws IOException {
		if (!startFrame()) {
			return null;
		}
		int scanned = 0;
		int checked = 0;
		while (true) {
			int end = indexOf((byte) '\n', this.position + scanned);
			if (end >= 0) {
				return line(end);
			}
			scanned = this.limit - this.position;
			// fail fast: no need to wait for the terminator of a line already too long
			// (in long arithmetic: a limit of Integer.MAX_VALUE plus one is negative in int)
			if (scanned > this.maxLineLength + ((this.lineEnding == LineEnding.LF) ? 0L : 1L)) {
				throw refused(Reason.TOO_LONG, "a line is longer than " + this.maxLineLength + " bytes");
			}
			if (this.lineEnding == LineEnding.CRLF) {
				// each byte once, not the whole line again at each read: a client trickling a long
				// line byte by byte would cost time in the square of its length
				requireNoBareTerminator(this.position + checked, this.limit - 1);
				checked = Math.max(checked, scanned - 1);
			}
			fillMore(saturatedInt((long) this.maxLineLength + 2));
		}
	}

	/** Takes the line that ends with the LF at {@code end}. */
	private byte[] line(int end) throws FrameException {
		int contentEnd = end;
		if (this.lineEnding != LineEnding.LF && end > this.position && this.buffer[end - 1] == '\r') {
			contentEnd = end - 1;
		}
		else if (this.lineEnding == LineEnding.CRLF) {
			throw refused(Reason.MALFORMED, "a line ends with LF alone, not CR LF");
		}
		if (this.lineEnding == LineEnding.CRLF) {
			requireNoBareTerminator(this.position, contentEnd);
		}
		if (contentEnd - this.position > this.maxLineLength) {
			throw refused(Reason.TOO_LONG, "a line is longer than " + this.maxLineLength + " bytes");
		}
		byte[] line = Arrays.copyOfRange(this.buffer, this.position, contentEnd);
		this.position = end + 1;
		endFrame();
		return line;
	}

	private void requireNoBareTerminator(int from, int to) throws FrameException {
		for (int i = from; i < to; i++) {
			if (this.buffer[i] == '\r' || this.buffer[i] == '\n') {
				throw refused(Reason.MALFORMED, "a line holds a CR or LF that is not its CR LF terminator");
			}
		}
	}

	/**
	 * Reads a frame that ends with {@code delimiter} (ETX, NUL, ...), bounded as lines are.
	 * @return the frame without its delimiter, or {@code null} at the end of input
	 */
	public byte @Nullable [] readDelimited(byte[] delimiter) throws IOException {
		if (delimiter == null || delimiter.length == 0) {
			throw new IllegalArgumentException("a delimiter needs at least one byte");
		}
		if (!startFrame()) {
			return null;
		}
		int scanned = 0;
		while (true) {
			int end = indexOf(delimiter, this.position + scanned);
			if (end >= 0) {
				if (end - this.position > this.maxLineLength) {
					throw refused(Reason.TOO_LONG, "a frame is longer than " + this.maxLineLength + " bytes");
				}
				byte[] frame = Arrays.copyOfRange(this.buffer, this.position, end);
				this.position = end + delimiter.length;
				endFrame();
				return frame;
			}
			// the delimiter may straddle what is buffered and what comes next: rescan its length
			scanned = Math.max(0, this.limit - this.position - delimiter.length + 1);
			if (scanned > this.maxLineLength) {
				throw refused(Reason.TOO_LONG, "a frame is longer than " + this.maxLineLength + " bytes");
			}
			fillMore(saturatedInt((long) this.maxLineLength + delimiter.length));
		}
	}

	/**
	 * Reads exactly {@code length} bytes: a block whose length the protocol gave, as memcached's
	 * {@code set} does after its command line. Refused before anything is allocated when longer
	 * than the frame limit; the array grows as the bytes arrive.
	 */
	public byte[] readExactly(int length) throws IOException {
		if (length < 0) {
			throw refused(Reason.MALFORMED, "a negative length: " + length);
		}
		if (length > this.maxFrameLength) {
			throw refused(Reason.TOO_LONG, "a block of " + length + " bytes is longer than " + this.maxFrameLength);
		}
		boolean started = !this.inFrame;
		if (started) {
			beginFrame();
		}
		byte[] bytes = readBytes(length, new byte[0]);
		if (started) {
			endFrame();
		}
		return bytes;
	}

	/**
	 * Reads a frame that declares its length in a header field.
	 * @return the frame, stripped as {@code field} says (by default: the payload only), or
	 * {@code null} at the end of input
	 */
	public byte @Nullable [] readFrame(LengthField field) throws IOException {
		if (!startFrame()) {
			return null;
		}
		byte[] header = new byte[field.offset() + Math.max(field.width(), 10)];
		int headerLength = 0;
		for (int i = 0; i < field.offset(); i++) {
			header[headerLength++] = (byte) readByte();
		}
		long value;
		if (field.width() == LengthField.VARINT) {
			value = 0;
			for (int shift = 0;; shift += 7) {
				int b = readByte();
				header[headerLength++] = (byte) b;
				// the 10th byte holds bit 63 only, and ends the varint: one more would not fit the header
				if (shift == 63 && (b & 0xfe) != 0) {
					throw refused(Reason.MALFORMED, "a varint length field longer than 64 bits");
				}
				value |= (long) (b & 0x7f) << shift;
				if ((b & 0x80) == 0) {
					break;
				}
			}
		}
		else {
			value = 0;
			for (int i = 0; i < field.width(); i++) {
				int b = readByte();
				header[headerLength++] = (byte) b;
				value = (field.order() == ByteOrder.BIG_ENDIAN) ? (value << 8) | b : value | ((long) b << (8 * i));
			}
		}
		if (value < 0) {
			throw refused(Reason.MALFORMED, "a length field beyond 2^63");
		}
		if (value > 1L << 33) {
			// longer than any limit whatever the header and adjustment; refused before the sum below overflows
			throw refused(Reason.TOO_LONG, "a frame of " + value + " bytes is longer than " + this.maxFrameLength);
		}
		long frameLength = headerLength + value + field.adjustment();
		if (frameLength < headerLength) {
			throw refused(Reason.MALFORMED, "a length field of " + value + " less the adjustment is negative");
		}
		if (frameLength > this.maxFrameLength) {
			throw refused(Reason.TOO_LONG, "a frame of " + frameLength + " bytes is longer than " + this.maxFrameLength);
		}
		int strip = field.bytesToStrip(headerLength);
		if (strip > frameLength) {
			throw refused(Reason.MALFORMED, "a frame of " + frameLength + " bytes is shorter than the " + strip + " to strip");
		}
		int body = (int) frameLength - headerLength;
		byte[] kept = Arrays.copyOfRange(header, Math.min(strip, headerLength), headerLength);
		skip(Math.max(0, strip - headerLength));
		byte[] frame = readBytes(body - Math.max(0, strip - headerLength), kept);
		endFrame();
		return frame;
	}

}
