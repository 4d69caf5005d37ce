package dev.gserver.sample;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/** Writes RESP2 replies into a buffer, sent when {@link #flush()} is called. */
final class RespWriter {

	private static final byte[] CRLF = { '\r', '\n' };

	private static final byte[] NULL_BULK = "$-1\r\n".getBytes(StandardCharsets.US_ASCII);

	private static final byte[] OK = "+OK\r\n".getBytes(StandardCharsets.US_ASCII);

	private static final byte[] PONG = "+PONG\r\n".getBytes(StandardCharsets.US_ASCII);

	private final OutputStream out;

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

	void bulk(byte[] value) {
		if (value == null) {
			write(NULL_BULK);
			return;
		}
		write('$');
		writeDecimal(value.length);
		write(CRLF);
		write(value);
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
