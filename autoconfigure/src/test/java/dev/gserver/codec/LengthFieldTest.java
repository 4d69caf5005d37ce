package dev.gserver.codec;

import static dev.gserver.codec.FrameReaderTest.refusal;
import static dev.gserver.codec.TestStreams.ascii;
import static dev.gserver.codec.TestStreams.chunked;
import static dev.gserver.codec.TestStreams.concat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import dev.gserver.codec.FrameException.Reason;
import dev.gserver.codec.TestStreams.Chunked;
import dev.gserver.codec.TestStreams.Chunking;

/** Length-prefixed frames: every field width, both byte orders, varints, and Netty's offset, adjustment and strip. */
@Timeout(60)
class LengthFieldTest {

	private static final byte[] HELLO = ascii("HELLO, WORLD");

	private static byte[] bytes(int... values) {
		byte[] bytes = new byte[values.length];
		for (int i = 0; i < values.length; i++) {
			bytes[i] = (byte) values[i];
		}
		return bytes;
	}

	/** A varint as Protocol Buffers writes it, written here independently of FrameWriter. */
	private static byte[] varint(long value) {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		while ((value & ~0x7fL) != 0) {
			out.write((int) (value & 0x7f) | 0x80);
			value >>>= 7;
		}
		out.write((int) value);
		return out.toByteArray();
	}

	private static byte[] written(LengthField field, byte[] payload) throws IOException {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		FrameWriter.of(out).writeFrame(field, payload).flush();
		return out.toByteArray();
	}

	private static byte[] readOne(LengthField field, byte[] input, int maxFrameLength, Chunking chunking)
			throws IOException {
		FrameReader in = FrameReader.of(chunked(input, chunking)).maxFrameLength(maxFrameLength);
		byte[] frame = in.readFrame(field);
		assertThat(in.readFrame(field)).as("one frame, then the end").isNull();
		return frame;
	}

	// ---- widths and byte orders ----

	@Test
	void theFieldIsWrittenInItsWidthAndOrder() throws IOException {
		byte[] p258 = new byte[258];
		assertThat(Arrays.copyOf(written(LengthField.uint8(), new byte[255]), 1)).containsExactly(0xff);
		assertThat(Arrays.copyOf(written(LengthField.uint16(), p258), 2)).containsExactly(0x01, 0x02);
		assertThat(Arrays.copyOf(written(LengthField.uint16().littleEndian(), p258), 2)).containsExactly(0x02, 0x01);
		assertThat(Arrays.copyOf(written(LengthField.uint32(), p258), 4)).containsExactly(0, 0, 0x01, 0x02);
		assertThat(Arrays.copyOf(written(LengthField.uint32().littleEndian(), p258), 4)).containsExactly(0x02, 0x01, 0, 0);
		assertThat(Arrays.copyOf(written(LengthField.int64(), p258), 8)).containsExactly(0, 0, 0, 0, 0, 0, 0x01, 0x02);
		assertThat(Arrays.copyOf(written(LengthField.int64().littleEndian(), p258), 8)).containsExactly(0x02, 0x01, 0, 0,
				0, 0, 0, 0);
		assertThat(Arrays.copyOf(written(LengthField.varint(), p258), 2)).containsExactly(0x82, 0x02);
	}

	@ParameterizedTest
	@EnumSource(Chunking.class)
	void everyWidthAndOrderReadsBackWhatWasWritten(Chunking chunking) throws IOException {
		List<LengthField> fields = List.of(LengthField.uint8(), LengthField.uint16(), LengthField.uint32(),
				LengthField.int64(), LengthField.uint16().littleEndian(), LengthField.uint32().littleEndian(),
				LengthField.int64().littleEndian(), LengthField.varint());
		for (LengthField field : fields) {
			int widest = (field.width() == 1) ? 255 : (field.width() == 2) ? 65535 : 70_000;
			for (int size : new int[] { 0, 1, 127, 128, 255, widest }) {
				byte[] payload = new byte[size];
				new java.util.Random(size).nextBytes(payload);
				assertThat(readOne(field, written(field, payload), 100_000, chunking)).as("%s, %d", field, size)
					.isEqualTo(payload);
			}
		}
	}

	@Test
	void theLargestValueOfEachWidth() throws IOException {
		int max = Integer.MAX_VALUE;
		assertThat(readOne(LengthField.uint8(), concat(bytes(0xff), new byte[255]), max, Chunking.WHOLE)).hasSize(255);
		assertThat(readOne(LengthField.uint16(), concat(bytes(0xff, 0xff), new byte[65535]), max, Chunking.WHOLE))
			.hasSize(65535);
		// 4 GB, 2^63 - 1 declared: refused whatever the limit, before anything is read or allocated
		assertThat(refusal(() -> readOne(LengthField.uint32(), bytes(0xff, 0xff, 0xff, 0xff), max, Chunking.WHOLE)))
			.isEqualTo(Reason.TOO_LONG);
		assertThat(refusal(() -> readOne(LengthField.uint32().littleEndian(), bytes(0, 0, 0, 0x80), max, Chunking.WHOLE)))
			.isEqualTo(Reason.TOO_LONG);
		assertThat(refusal(() -> readOne(LengthField.int64(), bytes(0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff), max,
				Chunking.WHOLE)))
			.isEqualTo(Reason.TOO_LONG);
		assertThat(refusal(() -> readOne(LengthField.int64().littleEndian(),
				bytes(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f), max, Chunking.WHOLE)))
			.isEqualTo(Reason.TOO_LONG);
		assertThat(refusal(() -> readOne(LengthField.int64(), bytes(0, 0, 0, 0, 0x80, 0, 0, 0), max, Chunking.WHOLE)))
			.as("2^31 in 8 bytes").isEqualTo(Reason.TOO_LONG);
		// a negative int64 is no length
		assertThat(refusal(() -> readOne(LengthField.int64(), bytes(0x80, 0, 0, 0, 0, 0, 0, 1), max, Chunking.WHOLE)))
			.isEqualTo(Reason.MALFORMED);
		assertThat(refusal(() -> readOne(LengthField.int64().littleEndian(), bytes(0xff, 0, 0, 0, 0, 0, 0, 0xff), max,
				Chunking.WHOLE)))
			.isEqualTo(Reason.MALFORMED);
	}

	// ---- varints ----

	@Test
	void varintEncodings() throws IOException {
		assertThat(varint(0)).containsExactly(0);
		assertThat(varint(127)).containsExactly(0x7f);
		assertThat(varint(128)).containsExactly(0x80, 0x01);
		assertThat(varint(300)).containsExactly(0xac, 0x02);
		assertThat(varint(1L << 31)).containsExactly(0x80, 0x80, 0x80, 0x80, 0x08);
		assertThat(varint(Long.MAX_VALUE)).containsExactly(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f);
		for (int value : new int[] { 0, 1, 127, 128, 300, 16383, 16384, 100_000 }) {
			assertThat(Arrays.copyOf(written(LengthField.varint(), new byte[value]), varint(value).length))
				.as("the writer's varint of %d", value).isEqualTo(varint(value));
		}
	}

	@ParameterizedTest
	@EnumSource(Chunking.class)
	void varintEdgeValues(Chunking chunking) throws IOException {
		assertThat(readOne(LengthField.varint(), varint(0), 1024, chunking)).isEmpty();
		assertThat(readOne(LengthField.varint(), concat(varint(127), new byte[127]), 1024, chunking)).hasSize(127);
		assertThat(readOne(LengthField.varint(), concat(varint(128), new byte[128]), 1024, chunking)).hasSize(128);
		// an overlong encoding of 1 (as Protocol Buffers reads it): still 1
		assertThat(readOne(LengthField.varint(), bytes(0x81, 0x80, 0x80, 0x00, 'x'), 1024, chunking)).containsExactly('x');
		for (long huge : new long[] { 1L << 31, (1L << 32) - 1, 1L << 32, 1L << 62, Long.MAX_VALUE }) {
			Chunked client = chunked(varint(huge), chunking).blockingAfter(varint(huge).length);
			FrameReader in = FrameReader.of(client).maxFrameLength(Integer.MAX_VALUE);
			assertThat(refusal(() -> in.readFrame(LengthField.varint()))).as("%d", huge).isEqualTo(Reason.TOO_LONG);
		}
		// ten bytes hold 64 bits: bit 63 alone in the tenth is 2^63, beyond a signed length
		byte[] twoTo63 = bytes(0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01);
		assertThat(refusal(() -> readOne(LengthField.varint(), twoTo63, 1024, chunking))).isEqualTo(Reason.MALFORMED);
		byte[] bit64 = bytes(0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x02);
		assertThat(refusal(() -> readOne(LengthField.varint(), bit64, 1024, chunking))).isEqualTo(Reason.MALFORMED);
		// an eleventh byte: refused at the tenth, which says one more comes
		byte[] elevenBytes = bytes(0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00);
		assertThat(refusal(() -> readOne(LengthField.varint(), elevenBytes, 1024, chunking))).isEqualTo(Reason.MALFORMED);
		assertThat(refusal(() -> readOne(LengthField.varint().offset(3), concat(new byte[3], elevenBytes), 1024,
				chunking)))
			.isEqualTo(Reason.MALFORMED);
		byte[] endless = new byte[40];
		Arrays.fill(endless, (byte) 0xff);
		assertThat(refusal(() -> readOne(LengthField.varint(), endless, 1024, chunking))).isEqualTo(Reason.MALFORMED);
	}

	// ---- Netty's offset, adjustment and strip ----

	/**
	 * The examples of Netty's {@code LengthFieldBasedFrameDecoder} documentation, written out from
	 * its definitions: the field's value plus the adjustment is the number of bytes after the
	 * field; the first {@code strip} bytes of the frame are dropped. Its examples 4 and 5 have a
	 * 3-byte field, which gserver does not offer: here they use 4 and 2 bytes.
	 */
	@ParameterizedTest
	@EnumSource(Chunking.class)
	void nettysDocumentedExamples(Chunking chunking) throws IOException {
		// 1: a 2-byte length, nothing stripped
		byte[] one = concat(bytes(0x00, 0x0c), HELLO);
		assertThat(readOne(LengthField.uint16().strip(0), one, 1024, chunking)).isEqualTo(one);
		// 2: the header stripped (gserver's default)
		assertThat(readOne(LengthField.uint16().strip(2), one, 1024, chunking)).isEqualTo(HELLO);
		assertThat(readOne(LengthField.uint16(), one, 1024, chunking)).isEqualTo(HELLO);
		// 3: the length counts the whole frame, its own 2 bytes included
		byte[] three = concat(bytes(0x00, 0x0e), HELLO);
		assertThat(readOne(LengthField.uint16().adjustment(-2).strip(0), three, 1024, chunking)).isEqualTo(three);
		// 4: a header before the length field
		byte[] four = concat(bytes(0xca, 0xfe), bytes(0x00, 0x00, 0x00, 0x0c), HELLO);
		assertThat(readOne(LengthField.uint32().offset(2).strip(0), four, 1024, chunking)).isEqualTo(four);
		// 5: a header between the length field and the content, not counted by the length
		byte[] five = concat(bytes(0x00, 0x0c), bytes(0xca, 0xfe), HELLO);
		assertThat(readOne(LengthField.uint16().adjustment(2).strip(0), five, 1024, chunking)).isEqualTo(five);
		// 6: headers on both sides of the field; the first header and the field stripped
		byte[] six = concat(bytes(0xca, 0x00, 0x0c, 0xfe), HELLO);
		byte[] hdr2AndHello = concat(bytes(0xfe), HELLO);
		assertThat(readOne(LengthField.uint16().offset(1).adjustment(1).strip(3), six, 1024, chunking))
			.isEqualTo(hdr2AndHello);
		assertThat(readOne(LengthField.uint16().offset(1).adjustment(1), six, 1024, chunking)).as("default strip")
			.isEqualTo(hdr2AndHello);
		// 7: as 6, the length counting the whole frame
		byte[] seven = concat(bytes(0xca, 0x00, 0x10, 0xfe), HELLO);
		assertThat(readOne(LengthField.uint16().offset(1).adjustment(-3).strip(3), seven, 1024, chunking))
			.isEqualTo(hdr2AndHello);
	}

	/** Strip within the header, and past it into the body. */
	@ParameterizedTest
	@EnumSource(Chunking.class)
	void stripAnywhereInTheFrame(Chunking chunking) throws IOException {
		byte[] frame = concat(bytes(0xca, 0x00, 0x0c), HELLO);
		for (int strip = 0; strip <= frame.length; strip++) {
			assertThat(readOne(LengthField.uint16().offset(1).strip(strip), frame, 1024, chunking)).as("strip %d", strip)
				.isEqualTo(Arrays.copyOfRange(frame, strip, frame.length));
		}
		assertThat(refusal(() -> readOne(LengthField.uint16().offset(1).strip(frame.length + 1), frame, 1024, chunking)))
			.isEqualTo(Reason.MALFORMED);
		assertThat(readOne(LengthField.varint().offset(2).strip(1), concat(bytes(7, 8), varint(300), new byte[300]), 1024,
				chunking))
			.hasSize(1 + 2 + 300);
	}

	@Test
	void anAdjustmentThatMakesTheLengthNegativeIsMalformed() throws IOException {
		assertThat(refusal(() -> readOne(LengthField.uint16().adjustment(-2), bytes(0, 1, 'x'), 1024, Chunking.WHOLE)))
			.isEqualTo(Reason.MALFORMED);
		assertThat(refusal(() -> readOne(LengthField.uint8().adjustment(Integer.MIN_VALUE), bytes(0xff), 1024,
				Chunking.WHOLE)))
			.isEqualTo(Reason.MALFORMED);
		assertThat(readOne(LengthField.uint16().adjustment(-2), bytes(0, 2), 1024, Chunking.WHOLE)).isEmpty();
		// a large positive adjustment is a long frame, not an overflow
		assertThat(refusal(() -> readOne(LengthField.uint32().adjustment(Integer.MAX_VALUE), bytes(0xff, 0xff, 0xff, 0xff),
				Integer.MAX_VALUE, Chunking.WHOLE)))
			.isEqualTo(Reason.TOO_LONG);
	}

	/** The limit counts the header: a frame of exactly the limit is taken, one more byte is refused before its body is read. */
	@Test
	void theFrameLimitCountsTheHeaderAndIsCheckedBeforeTheBody() throws IOException {
		UnaryOperator<LengthField> same = UnaryOperator.identity();
		for (UnaryOperator<LengthField> shape : List.of(same, (f) -> f.offset(3), (f) -> f.offset(1).adjustment(2))) {
			LengthField field = shape.apply(LengthField.uint16());
			int header = field.offset() + 2;
			int body = 100 - header;
			byte[] fits = concat(new byte[field.offset()], bytes(0, body - field.adjustment()), new byte[body]);
			assertThat(readOne(field.strip(0), fits, 100, Chunking.WHOLE)).hasSize(100);
			byte[] over = concat(new byte[field.offset()], bytes(0, body + 1 - field.adjustment()), new byte[body + 1]);
			Chunked client = chunked(over, Chunking.ONE_BYTE).blockingAfter(header);
			FrameReader in = FrameReader.of(client).maxFrameLength(100);
			assertThat(refusal(() -> in.readFrame(field))).isEqualTo(Reason.TOO_LONG);
			assertThat(client.position()).isEqualTo(header);
		}
	}

	@ParameterizedTest
	@EnumSource(Chunking.class)
	void aCleanEndIsTheEndAndAnEndInsideAFrameIsTruncated(Chunking chunking) throws IOException {
		assertThat(FrameReader.of(chunked(new byte[0], chunking)).readFrame(LengthField.uint32())).isNull();
		List<byte[]> cut = List.of(bytes(0), bytes(0, 0, 0), bytes(0, 0, 0, 5, 1, 2), bytes(0x80), bytes(0xff, 0xff));
		for (byte[] input : cut) {
			LengthField field = (input[0] == 0) ? LengthField.uint32() : LengthField.varint();
			assertThat(refusal(() -> FrameReader.of(chunked(input, chunking)).readFrame(field)))
				.as(Arrays.toString(input)).isEqualTo(Reason.TRUNCATED);
		}
		assertThat(refusal(() -> FrameReader.of(chunked(bytes(1, 2), chunking)).readFrame(LengthField.uint8().offset(2))))
			.as("the end inside the header before the field").isEqualTo(Reason.TRUNCATED);
		assertThat(refusal(() -> FrameReader.of(chunked(bytes(0, 9, 1, 2, 3), chunking)).readFrame(LengthField.uint16().strip(6))))
			.as("the end inside the bytes to strip").isEqualTo(Reason.TRUNCATED);
	}

	@Test
	void framesFollowOneAnotherAndMixWithLines() throws IOException {
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		FrameWriter out = FrameWriter.of(bytes);
		out.writeFrame(LengthField.uint16(), ascii("one")).writeLine("line").writeFrame(LengthField.varint(), new byte[0]);
		out.writeFrame(LengthField.uint8().adjustment(-1), ascii("two")).flush();
		FrameReader in = FrameReader.of(new ByteArrayInputStream(bytes.toByteArray()));
		assertThat(in.readFrame(LengthField.uint16())).isEqualTo(ascii("one"));
		assertThat(in.readLine()).isEqualTo("line");
		assertThat(in.readFrame(LengthField.varint())).isEmpty();
		assertThat(in.readFrame(LengthField.uint8().adjustment(-1))).isEqualTo(ascii("two"));
		assertThat(in.readFrame(LengthField.uint8())).isNull();
	}

	// ---- the writer's side and the API ----

	@Test
	void theWriterRefusesWhatItsFieldCannotSay() {
		FrameWriter out = FrameWriter.of(new ByteArrayOutputStream());
		assertThatIllegalArgumentException().isThrownBy(() -> out.writeFrame(LengthField.uint8(), new byte[256]));
		assertThatIllegalArgumentException().isThrownBy(() -> out.writeFrame(LengthField.uint16(), new byte[65536]));
		assertThatIllegalArgumentException().isThrownBy(() -> out.writeFrame(LengthField.uint8().offset(1), new byte[1]));
		assertThatIllegalArgumentException().isThrownBy(() -> out.writeFrame(LengthField.uint8().adjustment(2), new byte[1]));
		assertThat(out.buffered()).as("nothing written for a refused frame").isZero();
	}

	@Test
	void theWriterAppliesTheAdjustment() throws IOException {
		LengthField countsItself = LengthField.uint16().adjustment(-2);
		byte[] frame = written(countsItself, ascii("abc"));
		assertThat(frame).containsExactly(0, 5, 'a', 'b', 'c');
		assertThat(readOne(countsItself, frame, 1024, Chunking.WHOLE)).isEqualTo(ascii("abc"));
		assertThat(written(LengthField.uint8().adjustment(1), ascii("ab"))).containsExactly(1, 'a', 'b');
	}

	@Test
	void settingsAreCheckedAndShown() {
		assertThatIllegalArgumentException().isThrownBy(() -> LengthField.uint8().offset(-1));
		assertThatIllegalArgumentException().isThrownBy(() -> LengthField.uint8().strip(-1));
		assertThat(LengthField.uint32().littleEndian().offset(2).adjustment(-3).strip(1))
			.hasToString("LengthField(32-bit little-endian, offset=2, adjustment=-3, strip=1)");
		assertThat(LengthField.varint()).hasToString("LengthField(varint, offset=0, adjustment=0, strip=header)");
		LengthField base = LengthField.uint16();
		base.littleEndian().offset(4).adjustment(1).strip(0);
		assertThat(base).as("immutable").hasToString("LengthField(16-bit big-endian, offset=0, adjustment=0, strip=header)");
	}

}
