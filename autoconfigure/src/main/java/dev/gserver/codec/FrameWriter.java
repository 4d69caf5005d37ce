package dev.gserver.codec;

import java.io.Flushable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

import dev.gserver.Connection;

/**
 * Writes frames to one client: lines, delimited and length-prefixed frames, raw bytes. Buffered,
 * so that many small replies leave in one write; {@link #flush()} sends them. It also flushes on
 * its own once it holds more than {@value #FLUSH_ABOVE} bytes, so that a reply is never held back
 * long, and writes a large payload straight through instead of copying it, so that its buffer
 * stays small after one large reply. One per connection; not thread-safe.
 *
 * <pre>{@code
 * FrameWriter out = FrameWriter.of(connection);    // lines end with CR LF, UTF-8
 * out.writeLine("hello");
 * out.flush();
 * }</pre>
 */
public final class FrameWriter implements Flushable {

	/** What the writer may hold before it flushes on its own. */
	public static final int FLUSH_ABOVE = 32 * 1024;

	static final int INITIAL_CAPACITY = 256;

	private static final byte[] CRLF = { '\r', '\n' };

	private static final byte[] LF = { '\n' };

	private final OutputStream out;

	private byte[] lineEnd = CRLF;

	private Charset charset = StandardCharsets.UTF_8;

	private byte[] buffer = new byte[INITIAL_CAPACITY];

	private int length;

	private FrameWriter(OutputStream out) {
		this.out = out;
	}

	public static FrameWriter of(Connection connection) throws IOException {
		return new FrameWriter(connection.getOutputStream());
	}

	public static FrameWriter of(OutputStream out) {
		return new FrameWriter(Objects.requireNonNull(out, "out"));
	}

	/** Sets how {@link #writeLine(String)} ends lines: CR LF (the default, also for {@code ANY}) or LF. */
	public FrameWriter lineEnding(LineEnding lineEnding) {
		this.lineEnd = (lineEnding == LineEnding.LF) ? LF : CRLF;
		return this;
	}

	/** Sets the charset of {@link #writeLine(String)}; UTF-8 by default. */
	public FrameWriter charset(Charset charset) {
		this.charset = Objects.requireNonNull(charset, "charset");
		return this;
	}

	/**
	 * Writes {@code line} and a line ending. A CR or LF inside it is refused: it would end the line
	 * early; so is a character the charset cannot encode, which would be sent as '?'.
	 */
	public FrameWriter writeLine(String line) throws IOException {
		return writeLine(encode(line));
	}

	/** Encodes strictly, as the reader decodes: getBytes would replace a lone surrogate with '?'. */
	private byte[] encode(String line) {
		boolean ascii = true;
		for (int i = 0; i < line.length() && ascii; i++) {
			ascii = line.charAt(i) < 0x80;
		}
		if (ascii) {
			return line.getBytes(this.charset);
		}
		try {
			ByteBuffer encoded = this.charset.newEncoder()
				.onMalformedInput(CodingErrorAction.REPORT)
				.onUnmappableCharacter(CodingErrorAction.REPORT)
				.encode(CharBuffer.wrap(line));
			return Arrays.copyOfRange(encoded.array(), encoded.arrayOffset() + encoded.position(),
					encoded.arrayOffset() + encoded.limit());
		}
		catch (CharacterCodingException ex) {
			throw new IllegalArgumentException("A line to write cannot be encoded in " + this.charset.name(), ex);
		}
	}

	public FrameWriter writeLine(byte[] line) throws IOException {
		for (byte b : line) {
			if (b == '\r' || b == '\n') {
				throw new IllegalArgumentException("A line to write holds a CR or LF");
			}
		}
		write(line, 0, line.length);
		return write(this.lineEnd, 0, this.lineEnd.length);
	}

	/**
	 * Writes {@code frame} and then {@code delimiter}. A frame in which the delimiter would be
	 * found before its end (inside it, or across its end and the delimiter) is refused: the
	 * reader would cut it there, as a LF inside a line.
	 */
	public FrameWriter writeDelimited(byte[] frame, byte[] delimiter) throws IOException {
		if (delimiter.length == 0) {
			throw new IllegalArgumentException("a delimiter needs at least one byte");
		}
		for (int start = 0; start < frame.length; start++) {
			int i = 0;
			while (i < delimiter.length
					&& ((start + i < frame.length) ? frame[start + i] : delimiter[start + i - frame.length]) == delimiter[i]) {
				i++;
			}
			if (i == delimiter.length) {
				throw new IllegalArgumentException("A frame to write holds its delimiter at " + start);
			}
		}
		write(frame, 0, frame.length);
		return write(delimiter, 0, delimiter.length);
	}

	/**
	 * Writes {@code payload} after a length field as {@code field} describes it (no header before
	 * the field, the field's value being the payload's length less the adjustment).
	 * @throws IllegalArgumentException when the length does not fit the field, or the field has an offset
	 */
	public FrameWriter writeFrame(LengthField field, byte[] payload) throws IOException {
		if (field.offset() != 0) {
			throw new IllegalArgumentException("Only a length field at offset 0 can be written: write the header first");
		}
		long value = (long) payload.length - field.adjustment();
		int width = field.width();
		if (value < 0 || (width > 0 && width < 8 && value >= 1L << (8 * width))) {
			throw new IllegalArgumentException("A payload of " + payload.length + " bytes does not fit " + field);
		}
		if (width == LengthField.VARINT) {
			while (value >= 0x80) {
				write((int) (value & 0x7f) | 0x80);
				value >>>= 7;
			}
			write((int) value);
		}
		else {
			for (int i = 0; i < width; i++) {
				int shift = (field.order() == ByteOrder.BIG_ENDIAN) ? 8 * (width - 1 - i) : 8 * i;
				write((int) (value >>> shift) & 0xff);
			}
		}
		return write(payload, 0, payload.length);
	}

	public FrameWriter write(byte[] bytes) throws IOException {
		return write(bytes, 0, bytes.length);
	}

	public FrameWriter write(byte[] bytes, int offset, int count) throws IOException {
		if (count >= FLUSH_ABOVE) {
			// straight through: a large reply is not copied, and the buffer does not grow for it
			flushBuffer();
			this.out.write(bytes, offset, count);
			return this;
		}
		ensure(count);
		System.arraycopy(bytes, offset, this.buffer, this.length, count);
		this.length += count;
		return this;
	}

	public FrameWriter write(int b) throws IOException {
		ensure(1);
		this.buffer[this.length++] = (byte) b;
		return this;
	}

	/** Writes {@code value} in decimal ASCII digits, without a string in between. */
	public FrameWriter writeDecimal(long value) throws IOException {
		if (value == Long.MIN_VALUE) {
			return write(Long.toString(value).getBytes(StandardCharsets.US_ASCII));
		}
		if (value < 0) {
			write('-');
			value = -value;
		}
		int digits = 1;
		for (long rest = value / 10; rest > 0; rest /= 10) {
			digits++;
		}
		ensure(digits);
		for (int i = this.length + digits - 1; i >= this.length; i--) {
			this.buffer[i] = (byte) ('0' + value % 10);
			value /= 10;
		}
		this.length += digits;
		return this;
	}

	/** Returns how many bytes are held, not yet sent. */
	public int buffered() {
		return this.length;
	}

	/** Returns the size of the buffer, for tests that it stays small. */
	int capacity() {
		return this.buffer.length;
	}

	/** Sends what is held and flushes the stream. */
	@Override
	public void flush() throws IOException {
		flushBuffer();
		this.out.flush();
	}

	private void flushBuffer() throws IOException {
		if (this.length > 0) {
			this.out.write(this.buffer, 0, this.length);
			this.length = 0;
		}
		if (this.buffer.length > FLUSH_ABOVE) {
			this.buffer = new byte[INITIAL_CAPACITY];
		}
	}

	/** Makes room for {@code more} bytes: sends what is held past the bound, then grows if need be. */
	private void ensure(int more) throws IOException {
		if (this.length + more > FLUSH_ABOVE) {
			flushBuffer();
		}
		if (this.length + more > this.buffer.length) {
			long grown = Math.max(2L * this.buffer.length, (long) this.length + more);
			this.buffer = Arrays.copyOf(this.buffer, (int) Math.min(grown, FLUSH_ABOVE + (long) more));
		}
	}

}
