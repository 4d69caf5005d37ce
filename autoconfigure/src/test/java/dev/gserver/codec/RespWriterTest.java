package dev.gserver.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RespWriterTest {

	private final ByteArrayOutputStream sent = new ByteArrayOutputStream();

	private final RespWriter writer = RespWriter.of(this.sent);

	@Test
	void theTypesBothProtocolsShare() throws IOException {
		for (int protocol : new int[] { 2, 3 }) {
			this.writer.setProtocol(protocol);
			this.writer.ok().pong().simple("QUEUED").error("ERR no").integer(-42).integer(Long.MIN_VALUE);
			this.writer.bulk("héllo").bulk(new byte[0]).array(2).bulk("a").integer(1);
			assertThat(flushed()).isEqualTo("+OK\r\n+PONG\r\n+QUEUED\r\n-ERR no\r\n:-42\r\n:-9223372036854775808\r\n"
					+ "$6\r\nhéllo\r\n$0\r\n\r\n*2\r\n$1\r\na\r\n:1\r\n");
		}
	}

	@Test
	void resp2WritesRedisFallbacks() throws IOException {
		assertThat(this.writer.getProtocol()).isEqualTo(2);
		this.writer.nullBulk().bulk((byte[]) null).bulk((String) null).nullArray().nullValue();
		this.writer.map(2).set(3).push(1).doubleValue(1.5).bool(true).bool(false);
		this.writer.bigNumber(new BigInteger("123456789012345678901234567890")).blobError("ERR a\r\nb");
		this.writer.verbatim("txt", "some text");
		assertThat(flushed()).isEqualTo("$-1\r\n$-1\r\n$-1\r\n*-1\r\n$-1\r\n*4\r\n*3\r\n*1\r\n$3\r\n1.5\r\n:1\r\n:0\r\n"
				+ "$30\r\n123456789012345678901234567890\r\n-ERR a  b\r\n$9\r\nsome text\r\n");
	}

	@Test
	void resp3WritesItsOwnTypes() throws IOException {
		this.writer.setProtocol(3);
		this.writer.nullBulk().nullArray().nullValue().map(2).set(3).push(1).attribute(1);
		this.writer.doubleValue(1.5).bool(true).bool(false);
		this.writer.bigNumber(new BigInteger("-123456789012345678901234567890")).blobError("ERR a\r\nb");
		this.writer.verbatim("txt", "some text");
		assertThat(flushed()).isEqualTo("_\r\n_\r\n_\r\n%2\r\n~3\r\n>1\r\n|1\r\n,1.5\r\n#t\r\n#f\r\n"
				+ "(-123456789012345678901234567890\r\n!8\r\nERR a\r\nb\r\n=13\r\ntxt:some text\r\n");
	}

	@Test
	void attributesAreResp3Only() {
		assertThatExceptionOfType(IllegalStateException.class).isThrownBy(() -> this.writer.attribute(1));
		assertThat(this.writer.buffered()).isZero();
	}

	@Test
	void nonsenseIsRefused() {
		assertThatExceptionOfType(IllegalArgumentException.class).isThrownBy(() -> this.writer.setProtocol(1));
		assertThatExceptionOfType(IllegalArgumentException.class).isThrownBy(() -> this.writer.setProtocol(4));
		assertThatExceptionOfType(IllegalArgumentException.class).isThrownBy(() -> this.writer.verbatim("text", "x"));
		assertThatExceptionOfType(IllegalArgumentException.class).isThrownBy(() -> this.writer.verbatim("t:t", "x"));
	}

	@Test
	void lineBreaksInSimpleStringsAndErrorsAreSpaces() throws IOException {
		this.writer.error("ERR bad\r\nthing").simple("a\nb").error("ERR é\r");
		assertThat(flushed()).isEqualTo("-ERR bad  thing\r\n+a b\r\n-ERR é \r\n");
	}

	@ParameterizedTest
	@CsvSource({ "1.5, 1.5", "3.0, 3", "-0.0, -0", "0.0, 0", "0.1, 0.1", "-1234.5678, -1234.5678", "1e20, 1e+20",
			"-1e20, -1e+20", "1.5e19, 1.5e+19", "1.23456789012345E19, 12345678901234500000", "1.0E-5, 0.00001", "1e-7, 1e-7", "1.25e-300, 1.25e-300",
			"123456789.125, 123456789.125", "4611686018427387904, 4611686018427387904", "Infinity, inf",
			"-Infinity, -inf", "NaN, nan" })
	void doublesAreWrittenAsRedisWritesThem(double value, String text) throws IOException {
		this.writer.doubleValue(value);
		this.writer.setProtocol(3);
		this.writer.doubleValue(value);
		assertThat(flushed()).isEqualTo("$" + text.length() + "\r\n" + text + "\r\n," + text + "\r\n");
	}

	@Test
	void theBufferStaysSmallAfterA20MegabyteBulk() throws IOException {
		byte[] value = new byte[20 * 1024 * 1024];
		Arrays.fill(value, (byte) 'v');
		CountingStream counting = new CountingStream();
		RespWriter large = RespWriter.of(counting);
		large.ok().bulk(value).ok();
		// the value went straight through: only the CR LF after it and the +OK are held
		assertThat(large.buffered()).isEqualTo(7);
		assertThat(large.frames().capacity()).isLessThanOrEqualTo(FrameWriter.FLUSH_ABOVE);
		large.flush();
		assertThat(counting.count).isEqualTo(5 + 11 + value.length + 2 + 5);
		assertThat(large.frames().capacity()).isLessThanOrEqualTo(FrameWriter.FLUSH_ABOVE);
	}

	@Test
	void pipelinedRepliesWaitForTheBatchButNoLongerThanTheBound() throws IOException {
		RespReader pipelined = RespReader.of(new ByteArrayInputStream("PING\r\nPING\r\n".getBytes(StandardCharsets.US_ASCII)));
		pipelined.readCommand();
		this.writer.pong().flushUnlessPipelined(pipelined);
		assertThat(this.sent.size()).as("held while another command is buffered").isZero();
		pipelined.readCommand();
		this.writer.pong().flushUnlessPipelined(pipelined);
		assertThat(this.sent.toString(StandardCharsets.US_ASCII)).isEqualTo("+PONG\r\n+PONG\r\n");
		// a long batch: what is held never passes the bound
		byte[] kilobyte = new byte[1024];
		for (int i = 0; i < 100; i++) {
			this.writer.bulk(kilobyte);
			assertThat(this.writer.buffered()).isLessThanOrEqualTo(FrameWriter.FLUSH_ABOVE);
		}
		assertThat(this.sent.size()).isGreaterThan(64 * 1024);
	}

	/**
	 * Issue 13's second defect: a client that streams commands without pause always has input
	 * buffered, so the flush policy alone never sends; the writer's bound must.
	 */
	@Test
	void aClientThatNeverPausesStillGetsItsRepliesWithinTheBound() throws IOException {
		byte[] ping = "PING\r\n".getBytes(StandardCharsets.US_ASCII);
		InputStream endless = new InputStream() {

			private long offset;

			@Override
			public int read() {
				return ping[(int) (this.offset++ % ping.length)];
			}

			/** Each read ends one byte into a command: there is always more buffered. */
			@Override
			public int read(byte[] b, int off, int len) {
				int count = len - (int) ((this.offset + len - 1) % ping.length);
				if (count <= 0) {
					count = len;
				}
				for (int i = 0; i < count; i++) {
					b[off + i] = (byte) read();
				}
				return count;
			}

		};
		RespReader reader = RespReader.of(endless);
		CountingStream counting = new CountingStream();
		RespWriter replies = RespWriter.of(counting);
		for (int i = 1; i <= 100_000; i++) {
			reader.readCommand();
			replies.pong().flushUnlessPipelined(reader);
			assertThat(reader.hasBuffered()).isTrue();
			assertThat(7L * i - counting.count).as("held back").isLessThanOrEqualTo(FrameWriter.FLUSH_ABOVE);
		}
	}

	@Test
	void constantRepliesAndNumbersAllocateNothing() throws IOException {
		assumeTrue(ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean, "not measurable");
		com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
		assumeTrue(threads.isThreadAllocatedMemorySupported(), "not measurable");
		threads.setThreadAllocatedMemoryEnabled(true);
		RespWriter discarding = RespWriter.of(OutputStream.nullOutputStream());
		byte[] value = new byte[16];
		for (int round = 0; round < 3; round++) {
			long before = threads.getThreadAllocatedBytes(Thread.currentThread().getId());
			for (int i = 0; i < 10_000; i++) {
				discarding.ok().pong().integer(i * 1_000_003L).nullBulk().bulk(value).array(3).bool(true).error("ERR x");
			}
			long allocated = threads.getThreadAllocatedBytes(Thread.currentThread().getId()) - before;
			if (round == 2) {
				// 80,000 replies: a byte each would already be 80 KB
				assertThat(allocated).isLessThan(16 * 1024);
			}
		}
	}

	private String flushed() throws IOException {
		this.writer.flush();
		String text = this.sent.toString(StandardCharsets.UTF_8);
		this.sent.reset();
		return text;
	}

	private static final class CountingStream extends OutputStream {

		long count;

		@Override
		public void write(int b) {
			this.count++;
		}

		@Override
		public void write(byte[] b, int off, int len) {
			this.count += len;
		}

	}

}
