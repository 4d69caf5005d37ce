package dev.gserver.sample;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Writes RESP2 replies, or RESP3 ones after {@code HELLO 3}, into a buffer, sent when
 * {@link #flush()} is called. The RESP3 types fall back to what Redis writes for them in RESP2:
 * a map is a flat array of keys and values, a set an array, a null a null bulk string, a boolean
 * an integer, a verbatim string a bulk string.
 */
final class RespWriter {

	private static final byte[] CRLF = { '\r', '\n' };

	private static final byte[] NULL_BULK = "$-1\r\n".getBytes(StandardCharsets.US_ASCII);

	private static final byte[] OK = "+OK\r\n".getBytes(StandardCharsets.US_ASCII);

	private static final byte[] PONG = "+PONG\r\n".getBytes(StandardCharsets.US_ASCII);

	private static final byte[] NULL_VALUE = "_\r\n".getBytes(StandardCharsets.US_ASCII);

	private static final byte[] NULL_ARRAY = "*-1\r\n".getBytes(StandardCharsets.US_ASCII);

	private final OutputStream out;

	/** 2 or 3: the protocol HELLO chose; 2 until then. */
	private int protocol = 2;

	/** Small for idle connections; grows with the replies it holds. */
	private byte[] buffer = new byte[512];

	private int length;

	RespWriter(OutputStream out) {
		this.out = out;
	}

	/** {@code +OK}: written from a constant, as most replies are, so that a reply allocates nothing. */
	void ok() {
		write(OK);
	}

	void pong() {
		write(PONG);
	}

	void error(String message) {
		write('-');
		write(message.getBytes(StandardCharsets.UTF_8));
		write(CRLF);
	}

	void integer(long value) {
		write(':');
		writeDecimal(value);
		write(CRLF);
	}

	int getProtocol() {
		return this.protocol;
	}

	/** @param protocol 2 or 3 */
	void setProtocol(int protocol) {
		if (protocol != 2 && protocol != 3) {
			throw new IllegalArgumentException("RESP" + protocol + " is not supported");
		}
		this.protocol = protocol;
	}

	/** {@code +text}: a status reply; {@code text} must not hold CR or LF. */
	void simple(String text) {
		write('+');
		write(text.getBytes(StandardCharsets.UTF_8));
		write(CRLF);
	}

	void bulk(String value) {
		bulk((value != null) ? value.getBytes(StandardCharsets.UTF_8) : null);
	}

	/** A null bulk string: {@code $-1} in RESP2, RESP3's null {@code _}, as Redis's addReplyNull. */
	void nullBulk() {
		nullValue();
	}

	/** The null of the protocol: RESP3's {@code _}, RESP2's null bulk string {@code $-1}. */
	void nullValue() {
		write((this.protocol == 3) ? NULL_VALUE : NULL_BULK);
	}

	/** A null array: {@code *-1} in RESP2, {@code _} in RESP3. */
	void nullArray() {
		write((this.protocol == 3) ? NULL_VALUE : NULL_ARRAY);
	}

	/** The header of an array of {@code count} elements, which the caller writes next. */
	void array(int count) {
		header('*', count);
	}

	/** The header of a map of {@code pairs} keys and values: RESP3 {@code %}, RESP2 an array of twice as many. */
	void map(int pairs) {
		if (this.protocol == 3) {
			header('%', pairs);
		}
		else {
			header('*', 2L * pairs);
		}
	}

	/** The header of a set: RESP3 {@code ~}, RESP2 an array. */
	void set(int count) {
		header((this.protocol == 3) ? '~' : '*', count);
	}

	/** RESP3 {@code ,}; in RESP2 a bulk string of the same text, as Redis's addReplyDouble. */
	void doubleValue(double value) {
		String text;
		if (Double.isInfinite(value)) {
			text = (value > 0) ? "inf" : "-inf";
		}
		else if (Double.isNaN(value)) {
			text = "nan";
		}
		else if (value == Math.rint(value) && Math.abs(value) < 1e17) {
			text = Long.toString((long) value);
		}
		else {
			text = Double.toString(value);
		}
		if (this.protocol == 3) {
			write(',');
			write(text.getBytes(StandardCharsets.US_ASCII));
			write(CRLF);
		}
		else {
			bulk(text.getBytes(StandardCharsets.US_ASCII));
		}
	}

	/** RESP3 {@code #t} / {@code #f}; in RESP2 {@code :1} / {@code :0}. */
	void bool(boolean value) {
		if (this.protocol == 3) {
			write('#');
			write(value ? 't' : 'f');
			write(CRLF);
		}
		else {
			integer(value ? 1 : 0);
		}
	}

	/** RESP3 {@code =} with a three-letter format ({@code txt}, {@code mkd}); in RESP2 a bulk string of the text. */
	void verbatim(String format, String text) {
		byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
		if (this.protocol != 3) {
			bulk(bytes);
			return;
		}
		if (format.length() != 3) {
			throw new IllegalArgumentException("A verbatim format has three characters: " + format);
		}
		write('=');
		writeDecimal(bytes.length + 4L);
		write(CRLF);
		write(format.getBytes(StandardCharsets.US_ASCII));
		write(':');
		write(bytes);
		write(CRLF);
	}

	void bulk(byte[] value) {
		if (value == null) {
			nullValue();
			return;
		}
		write('$');
		writeDecimal(value.length);
		write(CRLF);
		write(value);
		write(CRLF);
	}

	private void header(char type, long count) {
		write(type);
		writeDecimal(count);
		write(CRLF);
	}

	void flush() throws IOException {
		if (this.length > 0) {
			this.out.write(this.buffer, 0, this.length);
			this.out.flush();
			this.length = 0;
		}
	}

	/** Writes {@code value} in decimal digits straight into the buffer. */
	private void writeDecimal(long value) {
		if (value == Long.MIN_VALUE) {
			write(Long.toString(value).getBytes(StandardCharsets.US_ASCII));
			return;
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
	}

	private void write(int b) {
		ensure(1);
		this.buffer[this.length++] = (byte) b;
	}

	private void write(byte[] bytes) {
		ensure(bytes.length);
		System.arraycopy(bytes, 0, this.buffer, this.length, bytes.length);
		this.length += bytes.length;
	}

	private void ensure(int more) {
		if (this.length + more > this.buffer.length) {
			this.buffer = java.util.Arrays.copyOf(this.buffer, Math.max(this.buffer.length * 2, this.length + more));
		}
	}

}
