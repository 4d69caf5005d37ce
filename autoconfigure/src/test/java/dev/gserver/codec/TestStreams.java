package dev.gserver.codec;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.gserver.Connection;

/** Input streams that deliver bytes as a network does (in pieces), count what was taken, or never end. */
final class TestStreams {

	private TestStreams() {
	}

	static byte[] ascii(String text) {
		return text.getBytes(StandardCharsets.ISO_8859_1);
	}

	static byte[] concat(byte[]... parts) {
		int length = 0;
		for (byte[] part : parts) {
			length += part.length;
		}
		byte[] all = new byte[length];
		int at = 0;
		for (byte[] part : parts) {
			System.arraycopy(part, 0, all, at, part.length);
			at += part.length;
		}
		return all;
	}

	/** Returns a stream of {@code parts}, no read taking bytes of two parts: a client sending them one after another. */
	static InputStream parts(byte[]... parts) {
		return new java.io.SequenceInputStream(java.util.Collections.enumeration(java.util.Arrays.stream(parts)
			.map(java.io.ByteArrayInputStream::new)
			.toList()));
	}

	/** How a test stream cuts its bytes into reads. */
	enum Chunking {

		/** As much as the reader asks for: what a ByteArrayInputStream does. */
		WHOLE,

		/** One byte per read: every boundary falls between two reads once. */
		ONE_BYTE,

		/** Random sizes from 1 to 7, from a fixed seed. */
		RANDOM

	}

	static Chunked chunked(byte[] data, Chunking chunking) {
		return switch (chunking) {
			case WHOLE -> new Chunked(data, Integer.MAX_VALUE, null);
			case ONE_BYTE -> new Chunked(data, 1, null);
			case RANDOM -> new Chunked(data, 7, new Random(data.length * 31L + 7));
		};
	}

	/**
	 * Serves {@code data} in reads of at most {@code most} bytes (a random size up to it with a
	 * {@code random}), then the end of the stream; counts the bytes taken.
	 */
	static class Chunked extends InputStream {

		private final byte[] data;

		private final int most;

		private final Random random;

		private int position;

		/** Where the data stops and a read fails instead: the reader must not ask for more. */
		private int wall = -1;

		Chunked(byte[] data, int most, Random random) {
			this.data = data;
			this.most = most;
			this.random = random;
		}

		/** Makes a read for a byte past {@code at} fail: a client that sent that much and waits. */
		Chunked blockingAfter(int at) {
			this.wall = at;
			return this;
		}

		int position() {
			return this.position;
		}

		@Override
		public int read() throws IOException {
			byte[] one = new byte[1];
			return (read(one, 0, 1) < 0) ? -1 : one[0] & 0xff;
		}

		@Override
		public int read(byte[] buffer, int offset, int length) throws IOException {
			if (length == 0) {
				return 0;
			}
			if (this.wall >= 0 && this.position >= this.wall) {
				throw new WouldBlock(this.position);
			}
			int end = (this.wall >= 0) ? this.wall : this.data.length;
			if (this.position >= end) {
				return -1;
			}
			int most = (this.random != null) ? 1 + this.random.nextInt(this.most) : this.most;
			int n = Math.min(Math.min(length, most), end - this.position);
			System.arraycopy(this.data, this.position, buffer, offset, n);
			this.position += n;
			return n;
		}

	}

	/** A read that a real client would leave blocked: the reader asked for more than a limit lets it. */
	static final class WouldBlock extends IOException {

		private static final long serialVersionUID = 1L;

		WouldBlock(int position) {
			super("the reader asked for more after " + position + " bytes, and would wait for ever");
		}

	}

	/** Serves the same byte for ever, in reads of at most {@code most}; counts what was taken. */
	static final class Endless extends InputStream {

		private final int value;

		private final int most;

		private long taken;

		Endless(int value, int most) {
			this.value = value;
			this.most = most;
		}

		long taken() {
			return this.taken;
		}

		@Override
		public int read() {
			this.taken++;
			return this.value;
		}

		@Override
		public int read(byte[] buffer, int offset, int length) {
			int n = Math.min(length, this.most);
			java.util.Arrays.fill(buffer, offset, offset + n, (byte) this.value);
			this.taken += n;
			return n;
		}

	}

	/** A connection over a given stream that records the read deadlines and refusals a reader reports. */
	static final class FakeConnection implements Connection {

		final InputStream in;

		final List<Long> deadlines = new CopyOnWriteArrayList<>();

		final List<String> rejected = new ArrayList<>();

		FakeConnection(InputStream in) {
			this.in = in;
		}

		long deadline() {
			return this.deadlines.isEmpty() ? 0 : this.deadlines.get(this.deadlines.size() - 1);
		}

		@Override
		public InputStream getInputStream() {
			return this.in;
		}

		@Override
		public OutputStream getOutputStream() {
			return OutputStream.nullOutputStream();
		}

		@Override
		public SocketAddress getRemoteAddress() {
			return null;
		}

		@Override
		public SocketAddress getLocalAddress() {
			return null;
		}

		@Override
		public void setReadDeadline(long deadlineNanos) {
			this.deadlines.add(deadlineNanos);
		}

		@Override
		public void frameRejected(String reason) {
			this.rejected.add(reason);
		}

		@Override
		public boolean isOpen() {
			return true;
		}

		@Override
		public void close() {
		}

	}

}
