package dev.gserver.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

/** The reader's main paths, written with the writer: lines, delimited, counted and exact frames. */
class FrameReaderSmokeTest {

	@Test
	void readsWhatTheWriterWrote() throws IOException {
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		FrameWriter out = FrameWriter.of(bytes);
		out.writeLine("héllo").writeDelimited(new byte[] { 'x', 'y' }, new byte[] { 3 });
		out.writeFrame(LengthField.uint16(), new byte[] { 1, 2, 3 }).writeFrame(LengthField.varint(), new byte[300]);
		out.write("ab".getBytes(StandardCharsets.US_ASCII)).flush();
		FrameReader in = FrameReader.of(new ByteArrayInputStream(bytes.toByteArray()));
		assertThat(in.readLine()).isEqualTo("héllo");
		assertThat(in.readDelimited(new byte[] { 3 })).containsExactly('x', 'y');
		assertThat(in.readFrame(LengthField.uint16())).containsExactly(1, 2, 3);
		assertThat(in.readFrame(LengthField.varint())).hasSize(300);
		assertThat(in.readExactly(2)).containsExactly('a', 'b');
		assertThat(in.readLine()).isNull();
	}

	@Test
	void anEndlessLineIsRefusedOnceItPassesTheLimit() {
		InputStream endless = new InputStream() {

			@Override
			public int read() {
				return 'a';
			}

		};
		FrameReader in = FrameReader.of(endless).maxLineLength(100);
		assertThatExceptionOfType(FrameException.class).isThrownBy(in::readLine)
			.satisfies((ex) -> assertThat(ex.getReason()).isEqualTo(FrameException.Reason.TOO_LONG));
	}

	@Test
	void aDeclaredLengthOfTwoGigabytesIsRefusedBeforeAnythingIsAllocated() {
		byte[] header = { 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff };
		FrameReader in = FrameReader.of(new ByteArrayInputStream(header));
		assertThatExceptionOfType(FrameException.class).isThrownBy(() -> in.readFrame(LengthField.uint32()))
			.satisfies((ex) -> assertThat(ex.getReason()).isEqualTo(FrameException.Reason.TOO_LONG));
	}

	@Test
	void strictCrLfRefusesALoneLf() {
		FrameReader in = FrameReader.of(new ByteArrayInputStream("a\nb\r\n".getBytes(StandardCharsets.US_ASCII)))
			.lineEnding(LineEnding.CRLF);
		assertThatExceptionOfType(FrameException.class).isThrownBy(in::readLine)
			.satisfies((ex) -> assertThat(ex.getReason()).isEqualTo(FrameException.Reason.MALFORMED));
	}

	@Test
	void endOfStreamInsideAFrameIsTruncated() {
		FrameReader in = FrameReader.of(new ByteArrayInputStream("no end".getBytes(StandardCharsets.US_ASCII)));
		assertThatExceptionOfType(FrameException.class).isThrownBy(in::readLine)
			.satisfies((ex) -> assertThat(ex.getReason()).isEqualTo(FrameException.Reason.TRUNCATED));
	}

}
