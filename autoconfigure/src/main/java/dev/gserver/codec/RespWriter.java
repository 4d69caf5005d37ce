package dev.gserver.codec;

import java.io.Flushable;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

import dev.gserver.Connection;

/**
 * Writes Redis replies, in RESP2 (the default) or RESP3 after {@link #setProtocol(int)}, as Redis
 * writes them: a RESP3 type a RESP2 client cannot read is written as the RESP2 type Redis falls
 * back to (a map as an array of keys and values, a double as a bulk string, a boolean as 1 or 0,
 * a null as {@code $-1}). One per connection; not thread-safe.
 * <p>
 * Buffered on a {@link FrameWriter}: replies leave when {@link #flush()} is called, or when more
 * than {@value FrameWriter#FLUSH_ABOVE} bytes are held, and a large bulk string is written
 * straight through, so that the buffer stays small after it. For pipelining,
 * {@link #flushUnlessPipelined(RespReader)} after each reply sends a batch in one write.
 * Constant replies ({@code +OK}, {@code +PONG}, nulls, booleans) and numbers allocate nothing.
 * <p>
 * Every method may write to the stream, and so throws {@link IOException}; aggregates
 * ({@link #array(int)}, {@link #map(int)}, ...) write their header only, their elements follow.
 */
public final class RespWriter implements Flushable {

	private static final byte[] CRLF = ascii("\r\n");

	private static final byte[] OK = ascii("+OK\r\n");

	private static final byte[] PONG = ascii("+PONG\r\n");

	private static final byte[] NULL_BULK = ascii("$-1\r\n");

	private static final byte[] NULL_ARRAY = ascii("*-1\r\n");

	private static final byte[] NULL = ascii("_\r\n");

	private static final byte[] TRUE = ascii("#t\r\n");

	private static final byte[] FALSE = ascii("#f\r\n");

	private static final byte[] ONE = ascii(":1\r\n");

	private static final byte[] ZERO = ascii(":0\r\n");

	private final FrameWriter out;

	private int protocol = 2;

	private RespWriter(FrameWriter out) {
		this.out = out;
	}

	public static RespWriter of(Connection connection) throws IOException {
		return new RespWriter(FrameWriter.of(connection));
	}

	public static RespWriter of(OutputStream out) {
		return new RespWriter(FrameWriter.of(out));
	}

	/** Sets the protocol of the replies to come: 2 (the default) or 3, as a client's {@code HELLO} asks. */
	public void setProtocol(int protocol) {
		if (protocol != 2 && protocol != 3) {
			throw new IllegalArgumentException("RESP protocol must be 2 or 3, got " + protocol);
		}
		this.protocol = protocol;
	}

	public int getProtocol() {
		return this.protocol;
	}

	/** {@code +OK} */
	public RespWriter ok() throws IOException {
		return raw(OK);
	}

	/** {@code +PONG} */
	public RespWriter pong() throws IOException {
		return raw(PONG);
	}

	/** A simple string; a CR or LF in it, which would end it early, is written as a space. */
	public RespWriter simple(String text) throws IOException {
		this.out.write('+');
		return line(text);
	}

	/**
	 * An error: {@code -} and {@code message}, which starts with its code as Redis's do
	 * ({@code ERR ...}, {@code WRONGTYPE ...}); a CR or LF in it is written as a space.
	 */
	public RespWriter error(String message) throws IOException {
		this.out.write('-');
		return line(message);
	}

	public RespWriter integer(long value) throws IOException {
		this.out.write(':');
		this.out.writeDecimal(value);
		return raw(CRLF);
	}

	/** A bulk string; {@code null} is the {@link #nullBulk() null reply}. */
	public RespWriter bulk(byte @Nullable [] value) throws IOException {
		if (value == null) {
			return nullBulk();
		}
		this.out.write('$');
		this.out.writeDecimal(value.length);
		this.out.write(CRLF);
		// past FrameWriter's bound, written straight through rather than copied
		this.out.write(value);
		return raw(CRLF);
	}

	/** A bulk string of {@code value} in UTF-8; {@code null} is the {@link #nullBulk() null reply}. */
	public RespWriter bulk(@Nullable String value) throws IOException {
		return bulk((value != null) ? value.getBytes(StandardCharsets.UTF_8) : null);
	}

	/** The null reply for a missing value ({@code GET} of no key): RESP2 {@code $-1}, RESP3 {@code _}, as Redis writes it. */
	public RespWriter nullBulk() throws IOException {
		return raw((this.protocol == 3) ? NULL : NULL_BULK);
	}

	/** The null reply for a missing aggregate: RESP2 {@code *-1}, RESP3 {@code _}, as Redis writes it. */
	public RespWriter nullArray() throws IOException {
		return raw((this.protocol == 3) ? NULL : NULL_ARRAY);
	}

	/** RESP3's null {@code _}; RESP2 {@code $-1}. */
	public RespWriter nullValue() throws IOException {
		return nullBulk();
	}

	/** An array of {@code count} elements: the header, the elements follow. */
	public RespWriter array(int count) throws IOException {
		return header('*', count);
	}

	/** A map of {@code pairs} keys and values, which follow in turn; RESP2: an array of {@code 2 * pairs}. */
	public RespWriter map(int pairs) throws IOException {
		return (this.protocol == 3) ? header('%', pairs) : header('*', 2L * pairs);
	}

	/** A set of {@code count} elements; RESP2: an array. */
	public RespWriter set(int count) throws IOException {
		return header((this.protocol == 3) ? '~' : '*', count);
	}

	/** A push (pub/sub message, invalidation) of {@code count} elements; RESP2: an array. */
	public RespWriter push(int count) throws IOException {
		return header((this.protocol == 3) ? '>' : '*', count);
	}

	/**
	 * Attributes of {@code pairs} keys and values, followed by the reply they describe. RESP3
	 * only: a RESP2 client has no way to skip them, so Redis never sends them there.
	 * @throws IllegalStateException in RESP2
	 */
	public RespWriter attribute(int pairs) throws IOException {
		if (this.protocol != 3) {
			throw new IllegalStateException("Attributes are RESP3 only: a RESP2 client could not tell them from the reply");
		}
		return header('|', pairs);
	}

	/**
	 * A double: RESP3 {@code ,}, RESP2 a bulk string; as Redis 7.2 writes it: {@code inf},
	 * {@code -inf}, {@code nan}, an integral value without a fraction, otherwise the shortest
	 * digits that read back the same ({@code 0.1}, {@code 1.5e+19}; Redis 7.0 wrote 17 digits,
	 * {@code 0.10000000000000001}).
	 */
	public RespWriter doubleValue(double value) throws IOException {
		byte[] text = ascii(doubleText(value));
		if (this.protocol == 3) {
			this.out.write(',');
			this.out.write(text);
			return raw(CRLF);
		}
		return bulk(text);
	}

	/** A boolean: RESP3 {@code #t} or {@code #f}, RESP2 the integer 1 or 0. */
	public RespWriter bool(boolean value) throws IOException {
		if (this.protocol == 3) {
			return raw(value ? TRUE : FALSE);
		}
		return raw(value ? ONE : ZERO);
	}

	/** A big number: RESP3 {@code (}, RESP2 a bulk string of its digits. */
	public RespWriter bigNumber(BigInteger value) throws IOException {
		if (value == null) {
			return nullBulk();
		}
		byte[] digits = ascii(value.toString());
		if (this.protocol == 3) {
			this.out.write('(');
			this.out.write(digits);
			return raw(CRLF);
		}
		return bulk(digits);
	}

	/** An error that may hold any bytes: RESP3 {@code !}, RESP2 a simple error (CR and LF as spaces). */
	public RespWriter blobError(String message) throws IOException {
		if (this.protocol == 3) {
			byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
			this.out.write('!');
			this.out.writeDecimal(bytes.length);
			this.out.write(CRLF);
			this.out.write(bytes);
			return raw(CRLF);
		}
		return error(message);
	}

	/**
	 * A verbatim string, text in a {@code format} of three letters ({@code txt}, {@code mkd}):
	 * RESP3 {@code =}, RESP2 a bulk string of the text alone.
	 */
	public RespWriter verbatim(String format, String text) throws IOException {
		Objects.requireNonNull(format, "format");
		if (format.length() != 3 || !format.chars().allMatch((c) -> c > ' ' && c < 0x7f && c != ':')) {
			throw new IllegalArgumentException("A verbatim string's format is three letters, got '" + format + "'");
		}
		byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
		if (this.protocol != 3) {
			return bulk(bytes);
		}
		this.out.write('=');
		this.out.writeDecimal(bytes.length + 4L);
		this.out.write(CRLF);
		this.out.write(ascii(format));
		this.out.write(':');
		this.out.write(bytes);
		return raw(CRLF);
	}

	/** Sends the replies held. */
	@Override
	public void flush() throws IOException {
		this.out.flush();
	}

	/**
	 * Sends the replies held unless another command is buffered already, so that a pipelined
	 * batch is answered in one write. What is held back meanwhile is bounded: the writer flushes
	 * on its own past {@value FrameWriter#FLUSH_ABOVE} bytes.
	 */
	public void flushUnlessPipelined(RespReader reader) throws IOException {
		if (!reader.hasBuffered()) {
			this.out.flush();
		}
	}

	/** Returns how many bytes are held, not yet sent. */
	public int buffered() {
		return this.out.buffered();
	}

	/** The writer underneath: for tests of its buffer. */
	FrameWriter frames() {
		return this.out;
	}

	private RespWriter header(char type, long count) throws IOException {
		this.out.write(type);
		this.out.writeDecimal(count);
		return raw(CRLF);
	}

	private RespWriter raw(byte[] bytes) throws IOException {
		this.out.write(bytes);
		return this;
	}

	/** Writes {@code text} and CR LF, its own CR and LF as spaces; ASCII without a copy. */
	private RespWriter line(String text) throws IOException {
		int length = text.length();
		boolean ascii = true;
		for (int i = 0; i < length && ascii; i++) {
			ascii = text.charAt(i) < 0x80;
		}
		if (ascii) {
			for (int i = 0; i < length; i++) {
				char c = text.charAt(i);
				this.out.write((c == '\r' || c == '\n') ? ' ' : c);
			}
		}
		else {
			byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
			for (int i = 0; i < bytes.length; i++) {
				if (bytes[i] == '\r' || bytes[i] == '\n') {
					bytes[i] = ' ';
				}
			}
			this.out.write(bytes);
		}
		return raw(CRLF);
	}

	/**
	 * The text of a double, as Redis 7.2's d2string writes it: an integral value within 2^62 as a
	 * long; otherwise the shortest digits that read back the same (Java's), laid out as Redis's
	 * fpconv lays them out: plainly unless the exponent is far from the digits.
	 */
	static String doubleText(double value) {
		if (Double.isNaN(value)) {
			return "nan";
		}
		if (Double.isInfinite(value)) {
			return (value > 0) ? "inf" : "-inf";
		}
		if (value == 0) {
			return (1 / value < 0) ? "-0" : "0";
		}
		if (value == Math.rint(value) && Math.abs(value) <= 0x1p62) {
			return Long.toString((long) value);
		}
		BigDecimal decimal = new BigDecimal(Double.toString(Math.abs(value))).stripTrailingZeros();
		String digits = decimal.unscaledValue().toString();
		int count = digits.length();
		// the value is digits * 10^last; exponent is the first digit's power of ten
		int last = -decimal.scale();
		int exponent = last + count - 1;
		String sign = (value < 0) ? "-" : "";
		if (last >= 0 && Math.abs(exponent) < count + 7) {
			return sign + digits + "0".repeat(last);
		}
		if (last < 0 && (last > -7 || Math.abs(exponent) < 4)) {
			int point = count + last;
			return (point <= 0) ? sign + "0." + "0".repeat(-point) + digits
					: sign + digits.substring(0, point) + "." + digits.substring(point);
		}
		String mantissa = (count > 1) ? digits.charAt(0) + "." + digits.substring(1) : digits;
		return sign + mantissa + "e" + ((exponent < 0) ? "-" : "+") + Math.abs(exponent);
	}

	private static byte[] ascii(String text) {
		return text.getBytes(StandardCharsets.US_ASCII);
	}

}
