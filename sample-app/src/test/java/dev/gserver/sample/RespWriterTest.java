package dev.gserver.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import dev.gserver.codec.RespWriter;

/**
 * Each reply type's bytes in RESP2 and RESP3, as redis-server writes them (Redis's networking.c:
 * addReplyMapLen, addReplyNull, addReplyBool, addReplyVerbatim...), so that a client parsing one
 * protocol never meets the other's types.
 */
class RespWriterTest {

	@Test
	void sameInBothProtocols() throws IOException {
		for (int protocol : new int[] { 2, 3 }) {
			assertThat(write(protocol, RespWriter::ok)).isEqualTo("+OK\r\n");
			assertThat(write(protocol, RespWriter::pong)).isEqualTo("+PONG\r\n");
			assertThat(write(protocol, (w) -> w.simple("string"))).isEqualTo("+string\r\n");
			assertThat(write(protocol, (w) -> w.error("ERR nope"))).isEqualTo("-ERR nope\r\n");
			assertThat(write(protocol, (w) -> w.integer(Long.MIN_VALUE))).isEqualTo(":-9223372036854775808\r\n");
			assertThat(write(protocol, (w) -> w.bulk("h\u00e9"))).isEqualTo("$3\r\nh\u00c3\u00a9\r\n");
			assertThat(write(protocol, (w) -> w.bulk(new byte[0]))).isEqualTo("$0\r\n\r\n");
			assertThat(write(protocol, (w) -> w.array(2))).isEqualTo("*2\r\n");
		}
	}

	@Test
	void resp2FallsBackAsRedisDoes() throws IOException {
		assertThat(write(2, (w) -> w.bulk((byte[]) null))).isEqualTo("$-1\r\n");
		assertThat(write(2, RespWriter::nullBulk)).isEqualTo("$-1\r\n");
		assertThat(write(2, RespWriter::nullValue)).isEqualTo("$-1\r\n");
		assertThat(write(2, RespWriter::nullArray)).isEqualTo("*-1\r\n");
		assertThat(write(2, (w) -> w.map(3))).isEqualTo("*6\r\n");
		assertThat(write(2, (w) -> w.set(3))).isEqualTo("*3\r\n");
		assertThat(write(2, (w) -> w.bool(true))).isEqualTo(":1\r\n");
		assertThat(write(2, (w) -> w.bool(false))).isEqualTo(":0\r\n");
		assertThat(write(2, (w) -> w.doubleValue(1.5))).isEqualTo("$3\r\n1.5\r\n");
		assertThat(write(2, (w) -> w.verbatim("txt", "a\r\nb"))).isEqualTo("$4\r\na\r\nb\r\n");
	}

	@Test
	void resp3Types() throws IOException {
		assertThat(write(3, (w) -> w.bulk((byte[]) null))).isEqualTo("_\r\n");
		assertThat(write(3, RespWriter::nullBulk)).isEqualTo("_\r\n");
		assertThat(write(3, RespWriter::nullValue)).isEqualTo("_\r\n");
		assertThat(write(3, RespWriter::nullArray)).isEqualTo("_\r\n");
		assertThat(write(3, (w) -> w.map(3))).isEqualTo("%3\r\n");
		assertThat(write(3, (w) -> w.set(3))).isEqualTo("~3\r\n");
		assertThat(write(3, (w) -> w.bool(true))).isEqualTo("#t\r\n");
		assertThat(write(3, (w) -> w.bool(false))).isEqualTo("#f\r\n");
		assertThat(write(3, (w) -> w.doubleValue(1.5))).isEqualTo(",1.5\r\n");
		assertThat(write(3, (w) -> w.doubleValue(Double.NEGATIVE_INFINITY))).isEqualTo(",-inf\r\n");
		assertThat(write(3, (w) -> w.doubleValue(3))).isEqualTo(",3\r\n");
		// the length counts the format and its colon
		assertThat(write(3, (w) -> w.verbatim("txt", "a\r\nb"))).isEqualTo("=8\r\ntxt:a\r\nb\r\n");
	}

	@Test
	void protocolIsTwoUntilSetAndOnlyTwoOrThree() {
		RespWriter writer = RespWriter.of(new ByteArrayOutputStream());
		assertThat(writer.getProtocol()).isEqualTo(2);
		writer.setProtocol(3);
		assertThat(writer.getProtocol()).isEqualTo(3);
		assertThatIllegalArgumentException().isThrownBy(() -> writer.setProtocol(4));
		assertThat(writer.getProtocol()).isEqualTo(3);
	}

	/** A reply written by the codec's writer, the one the sample answers with. */
	@FunctionalInterface
	private interface Reply {

		void writeTo(RespWriter writer) throws IOException;

	}

	private static String write(int protocol, Reply reply) throws IOException {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		RespWriter writer = RespWriter.of(out);
		writer.setProtocol(protocol);
		reply.writeTo(writer);
		writer.flush();
		return out.toString(StandardCharsets.ISO_8859_1);
	}

}
