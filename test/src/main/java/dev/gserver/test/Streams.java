package dev.gserver.test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Objects;

/** Streams over a read or write of byte ranges: the client's over its transport, the handler's over its pipes. */
final class Streams {

	private Streams() {
	}

	/** Reads into a range of bytes: at least one, or -1 at the end of stream. */
	@FunctionalInterface
	interface Reads {

		int read(byte[] bytes, int offset, int length) throws IOException;

	}

	/** Writes a range of bytes, all of them. */
	@FunctionalInterface
	interface Writes {

		void write(byte[] bytes, int offset, int length) throws IOException;

	}

	/** A stream whose close does nothing: the client's, whose close is its own. */
	static InputStream input(Reads reads) {
		return input(reads, () -> {
		});
	}

	static OutputStream output(Writes writes) {
		return output(writes, () -> {
		});
	}

	static InputStream input(Reads reads, Runnable close) {
		return new InputStream() {

			@Override
			public int read() throws IOException {
				byte[] one = new byte[1];
				return (read(one, 0, 1) < 0) ? -1 : one[0] & 0xff;
			}

			@Override
			public int read(byte[] bytes, int offset, int length) throws IOException {
				Objects.checkFromIndexSize(offset, length, bytes.length);
				return reads.read(bytes, offset, length);
			}

			@Override
			public void close() {
				close.run();
			}

		};
	}

	static OutputStream output(Writes writes, Runnable close) {
		return new OutputStream() {

			@Override
			public void write(int b) throws IOException {
				write(new byte[] { (byte) b }, 0, 1);
			}

			@Override
			public void write(byte[] bytes, int offset, int length) throws IOException {
				Objects.checkFromIndexSize(offset, length, bytes.length);
				writes.write(bytes, offset, length);
			}

			@Override
			public void close() {
				close.run();
			}

		};
	}

}
