package dev.gserver.codec;

import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.concurrent.Callable;

import dev.gserver.codec.FrameException.Reason;

/**
 * Run by {@link FrameReaderHeapTest} in a JVM of 64 MB of heap: declared lengths of 2 GB and
 * 4 GB in each encoding, and reads whose limit is raised to {@link Integer#MAX_VALUE}, each fed
 * the bytes of its header and then 1 MB of body. Each must be refused as too long, or wait for
 * the bytes and allocate only as they come (1 MB then the end: truncated). Prints a line per
 * case and exits 0 only if every case passed; an OutOfMemoryError is a failed case.
 */
public final class HugeLengths {

	/** What a case may allocate, for 1 MB received: far from the 2 GB declared, and from the 64 MB heap. */
	static final long ALLOCATION_LIMIT = 8L * 1024 * 1024;

	private static final com.sun.management.ThreadMXBean THREADS = (com.sun.management.ThreadMXBean) ManagementFactory
		.getThreadMXBean();

	private static int failed;

	private static int passed;

	private HugeLengths() {
	}

	public static void main(String[] args) {
		THREADS.setThreadAllocatedMemoryEnabled(true);
		System.out.println("max heap " + Runtime.getRuntime().maxMemory() / (1024 * 1024) + " MB");
		byte[] twoGb = { (byte) 0x80, 0, 0, 0 };
		byte[] fourGb = { (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff };
		byte[] justUnderTwoGb = { 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xf0 };
		for (int limit : new int[] { 1024 * 1024, Integer.MAX_VALUE }) {
			String with = " (limit " + limit + ")";
			check("uint32 2 GB" + with, Reason.TOO_LONG, (in) -> in.maxFrameLength(limit).readFrame(LengthField.uint32()), twoGb);
			check("uint32 4 GB" + with, Reason.TOO_LONG, (in) -> in.maxFrameLength(limit).readFrame(LengthField.uint32()), fourGb);
			check("uint32 LE 2 GB" + with, Reason.TOO_LONG,
					(in) -> in.maxFrameLength(limit).readFrame(LengthField.uint32().littleEndian()), reverse(twoGb));
			check("int64 2 GB" + with, Reason.TOO_LONG, (in) -> in.maxFrameLength(limit).readFrame(LengthField.int64()),
					new byte[] { 0, 0, 0, 0, (byte) 0x80, 0, 0, 0 });
			check("int64 4 GB" + with, Reason.TOO_LONG, (in) -> in.maxFrameLength(limit).readFrame(LengthField.int64()),
					new byte[] { 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff });
			check("int64 LE 4 GB" + with, Reason.TOO_LONG,
					(in) -> in.maxFrameLength(limit).readFrame(LengthField.int64().littleEndian()),
					new byte[] { (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0, 0, 0, 0 });
			check("varint 2 GB" + with, Reason.TOO_LONG, (in) -> in.maxFrameLength(limit).readFrame(LengthField.varint()),
					new byte[] { (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x08 });
			check("varint 4 GB" + with, Reason.TOO_LONG, (in) -> in.maxFrameLength(limit).readFrame(LengthField.varint()),
					new byte[] { (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x0f });
			// just under 2 GB: refused by the default limit; under the raised one, read as the bytes come
			check("uint32 2 GB - 16" + with, (limit == Integer.MAX_VALUE) ? Reason.TRUNCATED : Reason.TOO_LONG,
					(in) -> in.maxFrameLength(limit).readFrame(LengthField.uint32()), justUnderTwoGb);
			check("readExactly(Integer.MAX_VALUE)" + with, (limit == Integer.MAX_VALUE) ? Reason.TRUNCATED : Reason.TOO_LONG,
					(in) -> in.maxFrameLength(limit).readExactly(Integer.MAX_VALUE), new byte[0]);
			// lines of 1 MB without end: past the default line limit; under the raised one, read as the bytes come
			int lineLimit = (limit == Integer.MAX_VALUE) ? limit : 8192;
			check("readLine" + with, (limit == Integer.MAX_VALUE) ? Reason.TRUNCATED : Reason.TOO_LONG,
					(in) -> in.maxLineLength(lineLimit).readLine(), new byte[0]);
			check("readDelimited" + with, (limit == Integer.MAX_VALUE) ? Reason.TRUNCATED : Reason.TOO_LONG,
					(in) -> in.maxLineLength(lineLimit).readDelimited(new byte[] { '\n' }), new byte[0]);
		}
		System.out.println("DONE " + passed + " passed, " + failed + " failed");
		System.exit((failed == 0) ? 0 : 1);
	}

	private static byte[] reverse(byte[] bytes) {
		byte[] reversed = new byte[bytes.length];
		for (int i = 0; i < bytes.length; i++) {
			reversed[i] = bytes[bytes.length - 1 - i];
		}
		return reversed;
	}

	@FunctionalInterface
	interface Read {

		Object read(FrameReader in) throws IOException;

	}

	/** Feeds {@code header} then 1 MB of 'x' (in 64 KiB reads), then the end, to {@code read}. */
	private static void check(String name, Reason expected, Read read, byte[] header) {
		long thread = Thread.currentThread().getId();
		long before = THREADS.getThreadAllocatedBytes(thread);
		String outcome;
		try {
			Object result = read.read(FrameReader.of(new HeaderThenBody(header, 1_000_000)));
			outcome = "a result: " + ((result instanceof byte[] bytes) ? bytes.length + " bytes" : result);
		}
		catch (FrameException ex) {
			outcome = ex.getReason().name();
		}
		catch (Throwable ex) {
			outcome = ex.toString();
		}
		long allocated = THREADS.getThreadAllocatedBytes(thread) - before;
		boolean ok = outcome.equals(expected.name()) && allocated < ALLOCATION_LIMIT;
		if (ok) {
			passed++;
		}
		else {
			failed++;
		}
		System.out.println((ok ? "OK   " : "FAIL ") + name + ": " + outcome + " (expected " + expected + "), allocated "
				+ allocated / 1024 + " KiB");
	}

	/** A header, then {@code body} bytes of 'x' in reads of at most 64 KiB, then the end of the stream. */
	static final class HeaderThenBody extends InputStream {

		private final byte[] header;

		private final long body;

		private long position;

		HeaderThenBody(byte[] header, long body) {
			this.header = header;
			this.body = body;
		}

		@Override
		public int read() {
			throw new UnsupportedOperationException();
		}

		@Override
		public int read(byte[] buffer, int offset, int length) {
			long total = this.header.length + this.body;
			if (this.position >= total) {
				return -1;
			}
			int n = (int) Math.min(Math.min(length, 64 * 1024), total - this.position);
			for (int i = 0; i < n; i++) {
				long at = this.position + i;
				buffer[offset + i] = (at < this.header.length) ? this.header[(int) at] : (byte) 'x';
			}
			this.position += n;
			return n;
		}

	}

}
