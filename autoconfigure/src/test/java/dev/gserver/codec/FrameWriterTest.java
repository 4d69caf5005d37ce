package dev.gserver.codec;

import static dev.gserver.codec.TestStreams.ascii;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link FrameWriter}: what it writes, when it sends it, and that its buffer stays small. */
@Timeout(60)
class FrameWriterTest {

	/** Records each write and flush it is given, and the bytes. */
	static final class Recording extends OutputStream {

		final List<Integer> writes = new ArrayList<>();

		final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

		int flushes;

		@Override
		public void write(int b) {
			this.writes.add(1);
			this.bytes.write(b);
		}

		@Override
		public void write(byte[] b, int off, int len) {
			this.writes.add(len);
			this.bytes.write(b, off, len);
		}

		@Override
		public void flush() {
			this.flushes++;
		}

		String text() {
			return this.bytes.toString(StandardCharsets.UTF_8);
		}

	}

	@Test
	void linesEndWithCrLfUnlessToldLf() throws IOException {
		Recording out = new Recording();
		FrameWriter.of(out).writeLine("a").writeLine("").writeLine("é").flush();
		assertThat(out.text()).isEqualTo("a\r\n\r\né\r\n");
		Recording lf = new Recording();
		FrameWriter.of(lf).lineEnding(LineEnding.LF).writeLine("a").flush();
		assertThat(lf.text()).isEqualTo("a\n");
		Recording any = new Recording();
		FrameWriter.of(any).lineEnding(LineEnding.ANY).writeLine("a").flush();
		assertThat(any.text()).as("ANY writes what every reader takes").isEqualTo("a\r\n");
		Recording latin1 = new Recording();
		FrameWriter.of(latin1).charset(StandardCharsets.ISO_8859_1).writeLine("é").flush();
		assertThat(latin1.bytes.toByteArray()).containsExactly(0xe9, '\r', '\n');
	}

	/** A CR or LF inside a line would end it early on the other side: refused, and nothing of it written. */
	@Test
	void aLineWithACrOrLfInsideIsRefused() throws IOException {
		Recording out = new Recording();
		FrameWriter writer = FrameWriter.of(out).writeLine("before");
		for (String line : List.of("a\nb", "a\rb", "\r", "\n", "tail\r\n")) {
			assertThatIllegalArgumentException().isThrownBy(() -> writer.writeLine(line));
			assertThatIllegalArgumentException().isThrownBy(() -> writer.writeLine(line.getBytes(StandardCharsets.UTF_8)));
		}
		writer.writeLine("after").flush();
		assertThat(out.text()).isEqualTo("before\r\nafter\r\n");
	}

	/** A string its charset cannot encode (a lone surrogate) is refused, not sent with '?' in its place. */
	@Test
	void aLineTheCharsetCannotEncodeIsRefused() throws IOException {
		Recording out = new Recording();
		FrameWriter writer = FrameWriter.of(out);
		assertThatIllegalArgumentException().isThrownBy(() -> writer.writeLine("a\uD800b"));
		assertThatIllegalArgumentException()
			.isThrownBy(() -> FrameWriter.of(out).charset(StandardCharsets.US_ASCII).writeLine("é"));
		writer.writeLine("𝄞").flush();
		assertThat(out.text()).isEqualTo("𝄞\r\n");
	}

	/** A frame that holds its own delimiter would be read as two: refused, as a line with a LF is. */
	@Test
	void delimitedFramesAndAFrameHoldingItsDelimiter() throws IOException {
		Recording out = new Recording();
		FrameWriter writer = FrameWriter.of(out);
		writer.writeDelimited(ascii("abc"), new byte[] { 0 }).writeDelimited(new byte[0], ascii("--"));
		assertThatIllegalArgumentException().isThrownBy(() -> writer.writeDelimited(ascii("a\0b"), new byte[] { 0 }));
		assertThatIllegalArgumentException().isThrownBy(() -> writer.writeDelimited(ascii("x--y"), ascii("--")));
		assertThatIllegalArgumentException().isThrownBy(() -> writer.writeDelimited(ascii("x-"), ascii("--")))
			.as("the frame's end and the delimiter make a delimiter earlier");
		assertThatIllegalArgumentException().isThrownBy(() -> writer.writeDelimited(ascii("x"), new byte[0]));
		writer.writeDelimited(ascii("-x"), ascii("--")).flush();
		FrameReader in = FrameReader.of(new ByteArrayInputStream(out.bytes.toByteArray()));
		assertThat(in.readDelimited(new byte[] { 0 })).isEqualTo(ascii("abc"));
		assertThat(in.readDelimited(ascii("--"))).isEmpty();
		assertThat(in.readDelimited(ascii("--"))).isEqualTo(ascii("-x"));
		assertThat(in.readDelimited(ascii("--"))).isNull();
	}

	@Test
	void decimals() throws IOException {
		Recording out = new Recording();
		FrameWriter writer = FrameWriter.of(out);
		for (long value : new long[] { 0, 7, -1, 10, 99, 100, 1234567890L, -987654321L, Long.MAX_VALUE, Long.MIN_VALUE,
				Long.MIN_VALUE + 1 }) {
			writer.writeDecimal(value).write(' ');
		}
		writer.flush();
		assertThat(out.text()).isEqualTo("0 7 -1 10 99 100 1234567890 -987654321 9223372036854775807 "
				+ "-9223372036854775808 -9223372036854775807 ");
	}

	/** Nothing leaves before a flush while the writer holds less than its bound; then all of it in one write. */
	@Test
	void smallRepliesLeaveTogetherAtTheFlush() throws IOException {
		Recording out = new Recording();
		FrameWriter writer = FrameWriter.of(out);
		for (int i = 0; i < 100; i++) {
			writer.writeLine("+OK");
		}
		assertThat(out.writes).isEmpty();
		assertThat(writer.buffered()).isEqualTo(500);
		writer.flush();
		assertThat(out.writes).containsExactly(500);
		assertThat(out.flushes).isEqualTo(1);
		assertThat(writer.buffered()).isZero();
		writer.flush();
		assertThat(out.writes).as("nothing more to write").hasSize(1);
	}

	/**
	 * Past its bound the writer sends on its own: a handler that writes a long stream of replies
	 * and flushes only at the end holds at most {@value FrameWriter#FLUSH_ABOVE} bytes.
	 */
	@Test
	void itFlushesOnItsOwnPastItsBound() throws IOException {
		Recording out = new Recording();
		FrameWriter writer = FrameWriter.of(out);
		String reply = "v".repeat(998);
		int total = 0;
		for (int i = 0; i < 1000; i++) {
			writer.writeLine(reply).write(new byte[i % 7]).writeDecimal(i);
			total += 1000 + i % 7 + Integer.toString(i).length();
			assertThat(writer.buffered()).isLessThanOrEqualTo(FrameWriter.FLUSH_ABOVE);
			assertThat(writer.capacity()).isLessThanOrEqualTo(2 * FrameWriter.FLUSH_ABOVE);
		}
		assertThat(out.writes).as("writes before any flush").hasSizeGreaterThan(total / FrameWriter.FLUSH_ABOVE - 1);
		assertThat(out.writes).allSatisfy((n) -> assertThat(n).isLessThanOrEqualTo(FrameWriter.FLUSH_ABOVE));
		assertThat(out.flushes).as("sent, not flushed: only flush() flushes the stream").isZero();
		writer.flush();
		assertThat(out.bytes.size()).isEqualTo(total);
		assertThat(out.writes.stream().mapToInt(Integer::intValue).sum()).isEqualTo(total);
	}

	/**
	 * A 20 MB reply goes straight to the stream in one write, after what was held, and the buffer
	 * never grows for it: a connection that sent one large value and went idle keeps 256 bytes.
	 */
	@Test
	void aLargeWriteGoesStraightThroughAndTheBufferStaysSmall() throws IOException {
		Recording out = new Recording();
		FrameWriter writer = FrameWriter.of(out);
		byte[] large = new byte[20_000_000];
		large[0] = 'L';
		writer.writeLine("$20000000");
		writer.write(large).writeLine("");
		assertThat(out.writes).containsExactly(11, 20_000_000);
		assertThat(writer.capacity()).isEqualTo(FrameWriter.INITIAL_CAPACITY);
		writer.writeFrame(LengthField.uint32(), large);
		assertThat(writer.capacity()).isEqualTo(FrameWriter.INITIAL_CAPACITY);
		writer.flush();
		assertThat(out.bytes.size()).isEqualTo(11 + 20_000_000 + 2 + 4 + 20_000_000);
		byte[] sent = out.bytes.toByteArray();
		assertThat(sent[11]).isEqualTo((byte) 'L');
		assertThat(new String(sent, 11 + 20_000_000, 6, StandardCharsets.ISO_8859_1)).isEqualTo("\r\n\u0001\u0031\u002d\u0000");
	}

	/** Writes just under the bound grow the buffer to at most twice it, and the next flush gives that back. */
	@Test
	void aBufferGrownByWritesUnderTheBoundShrinksAtTheNextFlush() throws IOException {
		Recording out = new Recording();
		FrameWriter writer = FrameWriter.of(out);
		byte[] almost = new byte[FrameWriter.FLUSH_ABOVE - 1];
		for (int i = 0; i < 10; i++) {
			writer.write(new byte[10]).write(almost);
			assertThat(writer.capacity()).isLessThan(2 * FrameWriter.FLUSH_ABOVE);
		}
		writer.flush();
		assertThat(writer.capacity()).isLessThanOrEqualTo(FrameWriter.FLUSH_ABOVE);
		assertThat(out.bytes.size()).isEqualTo(10 * (10 + almost.length));
	}

	@Test
	void writesOfPartsOfAnArray() throws IOException {
		Recording out = new Recording();
		byte[] bytes = ascii("0123456789");
		FrameWriter.of(out).write(bytes, 2, 3).write('|').write(bytes, 9, 1).write(bytes, 0, 0).flush();
		assertThat(out.text()).isEqualTo("234|9");
	}

}
