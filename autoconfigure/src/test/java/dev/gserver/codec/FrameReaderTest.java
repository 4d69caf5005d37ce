package dev.gserver.codec;

import static dev.gserver.codec.TestStreams.ascii;
import static dev.gserver.codec.TestStreams.chunked;
import static dev.gserver.codec.TestStreams.concat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import dev.gserver.codec.FrameException.Reason;
import dev.gserver.codec.TestStreams.Chunked;
import dev.gserver.codec.TestStreams.Chunking;
import dev.gserver.codec.TestStreams.Endless;
import dev.gserver.codec.TestStreams.FakeConnection;

/**
 * {@link FrameReader}'s lines, delimited frames and exact reads, its limits, its buffer and its
 * frame state; length fields are in {@link LengthFieldTest}. Most tests run with the input cut
 * three ways ({@link Chunking}), so that every terminator also falls across two reads.
 */
@Timeout(60)
class FrameReaderTest {

	private static final com.sun.management.ThreadMXBean THREADS = (com.sun.management.ThreadMXBean) ManagementFactory
		.getThreadMXBean();

	/** Reads lines until the end of input. */
	private static List<String> lines(FrameReader in) throws IOException {
		List<String> lines = new ArrayList<>();
		for (String line; (line = in.readLine()) != null;) {
			lines.add(line);
		}
		return lines;
	}

	/** Returns the reason of the FrameException {@code read} throws; fails on a result or another exception. */
	static Reason refusal(Callable<?> read) {
		Object result;
		try {
			result = read.call();
		}
		catch (FrameException ex) {
			return ex.getReason();
		}
		catch (Exception ex) {
			throw new AssertionError("expected a FrameException, got " + ex, ex);
		}
		throw new AssertionError("expected a FrameException, got " + ((result instanceof byte[] bytes)
				? bytes.length + " bytes" : String.valueOf(result)));
	}

	// ---- lines ----

	@ParameterizedTest
	@EnumSource(Chunking.class)
	void anyEndingTakesCrLfAndLfAndKeepsACrElsewhere(Chunking chunking) throws IOException {
		FrameReader in = FrameReader.of(chunked(ascii("a\r\nb\nc\r\r\n\n\r\n x\ry \n"), chunking));
		assertThat(lines(in)).containsExactly("a", "b", "c\r", "", "", " x\ry ");
		assertThat(in.readLine()).as("still the end of input").isNull();
	}

	@ParameterizedTest
	@EnumSource(Chunking.class)
	void lfEndingKeepsTheCr(Chunking chunking) throws IOException {
		FrameReader in = FrameReader.of(chunked(ascii("a\r\nb\n\r\n\n"), chunking)).lineEnding(LineEnding.LF);
		assertThat(lines(in)).containsExactly("a\r", "b", "\r", "");
	}

	@ParameterizedTest
	@EnumSource(Chunking.class)
	void strictCrLfEndingTakesOnlyCrLf(Chunking chunking) throws IOException {
		FrameReader in = FrameReader.of(chunked(ascii("a\r\nbc\r\n\r\n"), chunking)).lineEnding(LineEnding.CRLF);
		assertThat(lines(in)).containsExactly("a", "bc", "");
	}

	@ParameterizedTest
	@EnumSource(Chunking.class)
	void strictCrLfRefusesABareCrOrLfAnywhere(Chunking chunking) {
		for (String input : List.of("a\nb\r\n", "a\rb\r\n", "\r\r\n", "ab\r\r\n", "a\n", "\n", "x\r\ny\rz\r\n")) {
			FrameReader in = FrameReader.of(chunked(ascii(input), chunking)).lineEnding(LineEnding.CRLF);
			assertThat(refusal(() -> lines(in))).as(input.replace("\r", "\\r").replace("\n", "\\n"))
				.isEqualTo(Reason.MALFORMED);
		}
	}

	/** A CR as the last byte of one read and its LF as the first of the next, for each line ending. */
	@ParameterizedTest
	@EnumSource(LineEnding.class)
	void aCrLfSplitAcrossTwoReads(LineEnding ending) throws IOException {
		InputStream split = new InputStream() {

			private final byte[][] reads = { ascii("abc\r"), ascii("\ndef\r"), ascii("\n") };

			private int next;

			@Override
			public int read() {
				throw new UnsupportedOperationException();
			}

			@Override
			public int read(byte[] buffer, int offset, int length) {
				if (this.next == this.reads.length) {
					return -1;
				}
				byte[] read = this.reads[this.next++];
				System.arraycopy(read, 0, buffer, offset, read.length);
				return read.length;
			}

		};
		FrameReader in = FrameReader.of(split).lineEnding(ending);
		String cr = (ending == LineEnding.LF) ? "\r" : "";
		assertThat(lines(in)).containsExactly("abc" + cr, "def" + cr);
	}

	/** Lines around the first buffer's 256 bytes: the CR is the last byte buffered, or the LF is. */
	@ParameterizedTest
	@EnumSource(LineEnding.class)
	void aCrOrLfAtTheEndOfTheBuffer(LineEnding ending) throws IOException {
		for (int length = FrameReader.INITIAL_CAPACITY - 4; length <= FrameReader.INITIAL_CAPACITY + 2; length++) {
			String line = "x".repeat(length);
			byte[] input = ascii(line + "\r\n" + line + "\r\nend\r\n");
			FrameReader in = FrameReader.of(new ByteArrayInputStream(input)).lineEnding(ending);
			String cr = (ending == LineEnding.LF) ? "\r" : "";
			assertThat(lines(in)).as("lines of %d", length).containsExactly(line + cr, line + cr, "end" + cr);
		}
	}

	@ParameterizedTest
	@EnumSource(Chunking.class)
	void aLineOfExactlyTheLimitIsTakenAndOneMoreByteIsRefused(Chunking chunking) throws IOException {
		for (int max : new int[] { 1, 16, 8192 }) {
			for (LineEnding ending : LineEnding.values()) {
				for (String terminator : (ending == LineEnding.CRLF) ? List.of("\r\n") : List.of("\n", "\r\n")) {
					// in LF mode a CR is part of the line: it counts towards the limit
					int content = (ending == LineEnding.LF && terminator.equals("\r\n")) ? max - 1 : max;
					String line = "y".repeat(content);
					String expected = (ending == LineEnding.LF) ? line + terminator.replace("\n", "") : line;
					FrameReader fits = FrameReader.of(chunked(ascii(line + terminator), chunking))
						.lineEnding(ending)
						.maxLineLength(max);
					assertThat(fits.readLine()).as("%s %d", ending, max).isEqualTo(expected);
					FrameReader over = FrameReader.of(chunked(ascii("y" + line + terminator), chunking))
						.lineEnding(ending)
						.maxLineLength(max);
					assertThat(refusal(over::readLine)).as("%s %d", ending, max).isEqualTo(Reason.TOO_LONG);
				}
			}
		}
	}

	/**
	 * Fail fast: a line that has passed its limit is refused before its terminator comes. The
	 * stream holds only what shows the line is too long (the limit and one byte, or two where a
	 * CR may still end it) and fails any read for more: a real client would have the reader wait.
	 */
	@ParameterizedTest
	@EnumSource(LineEnding.class)
	void aLineIsRefusedTheMomentItPassesTheLimit(LineEnding ending) {
		int max = 1000;
		int enough = max + ((ending == LineEnding.LF) ? 1 : 2);
		for (Chunking chunking : Chunking.values()) {
			Chunked client = chunked(ascii("z".repeat(enough)), chunking).blockingAfter(enough);
			FrameReader in = FrameReader.of(client).lineEnding(ending).maxLineLength(max);
			assertThat(refusal(in::readLine)).as("%s %s", ending, chunking).isEqualTo(Reason.TOO_LONG);
			assertThat(client.position()).isEqualTo(enough);
		}
	}

	/** A client that sends without end is refused after about the limit, not read for ever. */
	@ParameterizedTest
	@ValueSource(ints = { 1, 100, 1 << 20 })
	void anEndlessLineIsRefusedAfterAboutTheLimit(int bytesPerRead) {
		for (LineEnding ending : LineEnding.values()) {
			Endless client = new Endless('a', bytesPerRead);
			FrameReader in = FrameReader.of(client).lineEnding(ending);
			assertThat(refusal(in::readLine)).isEqualTo(Reason.TOO_LONG);
			assertThat(client.taken()).as("bytes read before the refusal")
				.isGreaterThan(in.getMaxLineLength())
				.isLessThanOrEqualTo(in.getMaxLineLength() + FrameReader.READ_AHEAD);
			Endless frames = new Endless(0, bytesPerRead);
			FrameReader delimited = FrameReader.of(frames);
			assertThat(refusal(() -> delimited.readDelimited(new byte[] { 3 }))).isEqualTo(Reason.TOO_LONG);
			assertThat(frames.taken()).isLessThanOrEqualTo(in.getMaxLineLength() + FrameReader.READ_AHEAD);
		}
	}

	@ParameterizedTest
	@EnumSource(Chunking.class)
	void utf8IsDecodedAcrossReads(Chunking chunking) throws IOException {
		String text = "héllo wörld € 𝄞 日本";
		FrameReader in = FrameReader.of(chunked((text + "\n" + text + "\r\n").getBytes(StandardCharsets.UTF_8), chunking));
		assertThat(lines(in)).containsExactly(text, text);
	}

	/** Malformed UTF-8 is refused, never replaced with U+FFFD; the next line still reads. */
	@Test
	void malformedUtf8IsRefused() throws IOException {
		byte[][] malformed = { { (byte) 0xc3, 0x28 }, // a lead byte without its continuation
				{ (byte) 0xc0, (byte) 0xaf }, // an overlong '/'
				{ (byte) 0xed, (byte) 0xa0, (byte) 0x80 }, // a surrogate, U+D800
				{ (byte) 0xe2, (byte) 0x82 }, // a sequence cut short by the terminator
				{ (byte) 0x80 }, // a continuation byte alone
				{ (byte) 0xf4, (byte) 0x90, (byte) 0x80, (byte) 0x80 }, // past U+10FFFF
				{ (byte) 0xff } };
		for (byte[] line : malformed) {
			FakeConnection connection = new FakeConnection(new ByteArrayInputStream(concat(ascii("ok\n"), line,
					ascii("\nafter\n"), "é\n".getBytes(StandardCharsets.UTF_8), line, ascii("\n"))));
			FrameReader in = FrameReader.of(connection);
			assertThat(in.readLine()).isEqualTo("ok");
			assertThat(refusal(in::readLine)).as(Arrays.toString(line)).isEqualTo(Reason.MALFORMED);
			assertThat(connection.rejected).containsExactly("malformed");
			assertThat(in.readLine()).as("the refused line was taken whole").isEqualTo("after");
			// the decoder, reused, starts afresh after a failure
			assertThat(in.readLine()).isEqualTo("é");
			assertThat(refusal(in::readLine)).as(Arrays.toString(line)).isEqualTo(Reason.MALFORMED);
		}
	}

	@Test
	void anotherCharsetIsStrictToo() throws IOException {
		FrameReader ascii = FrameReader.of(new ByteArrayInputStream(new byte[] { 'a', (byte) 0xe9, '\n' }))
			.charset(StandardCharsets.US_ASCII);
		assertThat(refusal(ascii::readLine)).isEqualTo(Reason.MALFORMED);
		FrameReader latin1 = FrameReader.of(new ByteArrayInputStream(new byte[] { 'a', (byte) 0xe9, '\n' }))
			.charset(StandardCharsets.ISO_8859_1);
		assertThat(latin1.readLine()).isEqualTo("aé");
		// a charset in which ASCII bytes are not ASCII characters: decoded, not taken as ASCII
		FrameReader utf16 = FrameReader.of(new ByteArrayInputStream(new byte[] { 0, 'a', 0, 'b', '\n' }))
			.charset(StandardCharsets.UTF_16BE);
		assertThat(utf16.readLine()).isEqualTo("ab");
		FrameReader backToUtf8 = FrameReader.of(new ByteArrayInputStream(new byte[] { 'a', (byte) 0xe9, '\n' }))
			.charset(StandardCharsets.ISO_8859_1)
			.charset(StandardCharsets.UTF_8);
		assertThat(refusal(backToUtf8::readLine)).isEqualTo(Reason.MALFORMED);
	}

	@ParameterizedTest
	@EnumSource(Chunking.class)
	void aCleanEndIsTheEndOfInputAndAnEndInsideALineIsTruncated(Chunking chunking) throws IOException {
		assertThat(FrameReader.of(chunked(new byte[0], chunking)).readLine()).isNull();
		for (LineEnding ending : LineEnding.values()) {
			for (String input : List.of("partial", "x\r\npartial", "\r", "x\r\n\r")) {
				FakeConnection connection = new FakeConnection(chunked(ascii(input), chunking));
				FrameReader in = FrameReader.of(connection).lineEnding(ending);
				assertThat(refusal(() -> lines(in))).as("%s %s", ending, input).isEqualTo(Reason.TRUNCATED);
				assertThat(connection.rejected).containsExactly("truncated");
			}
		}
	}

	@Test
	void readLineBytesTakesAnyBytes() throws IOException {
		byte[] binary = { 0, (byte) 0xff, (byte) 0xc3, 1, '\r', '\n', (byte) 0x80, '\n' };
		FrameReader in = FrameReader.of(new ByteArrayInputStream(binary));
		assertThat(in.readLineBytes()).containsExactly(0, 0xff, 0xc3, 1);
		assertThat(in.readLineBytes()).containsExactly(0x80);
		assertThat(in.readLineBytes()).isNull();
	}

	// ---- delimited frames ----

	@ParameterizedTest
	@EnumSource(Chunking.class)
	void delimitedFramesOfOneByteAndOfMany(Chunking chunking) throws IOException {
		byte[] stx = { 2 };
		byte[] etx = { 3 };
		FrameReader in = FrameReader.of(chunked(concat(ascii("ab"), etx, etx, ascii("c\0d"), etx), chunking));
		assertThat(in.readDelimited(etx)).containsExactly('a', 'b');
		assertThat(in.readDelimited(etx)).isEmpty();
		assertThat(in.readDelimited(new byte[] { 0 })).containsExactly('c');
		assertThat(in.readDelimited(etx)).containsExactly('d');
		assertThat(in.readDelimited(stx)).isNull();
		byte[] boundary = ascii("--sep--");
		FrameReader many = FrameReader.of(chunked(ascii("one--sep--two---sep--thr-ee--sep--"), chunking));
		assertThat(many.readDelimited(boundary)).asString(StandardCharsets.US_ASCII).isEqualTo("one");
		assertThat(many.readDelimited(boundary)).asString(StandardCharsets.US_ASCII).isEqualTo("two-");
		assertThat(many.readDelimited(boundary)).asString(StandardCharsets.US_ASCII).isEqualTo("thr-ee");
		assertThat(many.readDelimited(boundary)).isNull();
	}

	/** A delimiter whose prefix repeats: a partial match must not hide the match that starts inside it. */
	@ParameterizedTest
	@EnumSource(Chunking.class)
	void aMultiByteDelimiterAfterPartialMatches(Chunking chunking) throws IOException {
		byte[] abab = ascii("abab");
		String[][] cases = { { "ababab", "", "ab" }, { "aababx", "a", "x" }, { "abaababy", "aba", "y" },
				{ "abababababz", "", "abababz" }, { "xabaabababq", "xaba", "abq" }, { "aaabbbababb", "aaabbb", "b" } };
		for (String[] c : cases) {
			FrameReader in = FrameReader.of(chunked(ascii(c[0]), chunking));
			assertThat(in.readDelimited(abab)).as(c[0]).asString(StandardCharsets.US_ASCII).isEqualTo(c[1]);
			assertThat(in.readExactly(c[2].length())).as(c[0]).asString(StandardCharsets.US_ASCII).isEqualTo(c[2]);
			assertThat(in.readDelimited(abab)).isNull();
		}
	}

	/** Each split of a 3-byte delimiter across two reads. */
	@Test
	void aDelimiterStraddlingTwoReads() throws IOException {
		byte[] delimiter = ascii("<|>");
		for (int cut = 1; cut < 6; cut++) {
			byte[] all = ascii("pay<|>load<|>");
			byte[] first = Arrays.copyOf(all, cut + 2);
			byte[] second = Arrays.copyOfRange(all, first.length, all.length);
			InputStream twoReads = new java.io.SequenceInputStream(new ByteArrayInputStream(first),
					new ByteArrayInputStream(second));
			FrameReader in = FrameReader.of(twoReads);
			assertThat(in.readDelimited(delimiter)).asString(StandardCharsets.US_ASCII).isEqualTo("pay");
			assertThat(in.readDelimited(delimiter)).asString(StandardCharsets.US_ASCII).isEqualTo("load");
			assertThat(in.readDelimited(delimiter)).isNull();
		}
	}

	@ParameterizedTest
	@EnumSource(Chunking.class)
	void aDelimitedFrameOfExactlyTheLimitIsTakenAndOneMoreByteIsRefused(Chunking chunking) throws IOException {
		for (byte[] delimiter : List.of(new byte[] { 0 }, ascii("\r\n\r\n"), ascii("abab"))) {
			for (int max : new int[] { 1, 10, 8192 }) {
				byte[] frame = new byte[max];
				Arrays.fill(frame, (byte) 'q');
				FrameReader fits = FrameReader.of(chunked(concat(frame, delimiter), chunking)).maxLineLength(max);
				assertThat(fits.readDelimited(delimiter)).isEqualTo(frame);
				byte[] longer = concat(frame, ascii("q"), delimiter);
				FrameReader over = FrameReader.of(chunked(longer, chunking)).maxLineLength(max);
				assertThat(refusal(() -> over.readDelimited(delimiter))).isEqualTo(Reason.TOO_LONG);
				// refused before the delimiter comes: the limit and the delimiter's length less one byte
				// are enough, for the delimiter cannot start within the limit any more
				int enough = max + delimiter.length;
				Chunked client = chunked(longer, chunking).blockingAfter(enough);
				FrameReader fast = FrameReader.of(client).maxLineLength(max);
				assertThat(refusal(() -> fast.readDelimited(delimiter))).isEqualTo(Reason.TOO_LONG);
				assertThat(client.position()).isEqualTo(enough);
			}
		}
	}

	@Test
	void aDelimiterMustHaveBytes() {
		FrameReader in = FrameReader.of(new ByteArrayInputStream(new byte[1]));
		assertThatIllegalArgumentException().isThrownBy(() -> in.readDelimited(new byte[0]));
		assertThatIllegalArgumentException().isThrownBy(() -> in.readDelimited(null));
	}

	@Test
	void anEndInsideADelimitedFrameIsTruncated() throws IOException {
		assertThat(FrameReader.of(new ByteArrayInputStream(new byte[0])).readDelimited(ascii("ab"))).isNull();
		assertThat(refusal(() -> FrameReader.of(new ByteArrayInputStream(ascii("xyz"))).readDelimited(ascii("ab"))))
			.isEqualTo(Reason.TRUNCATED);
		assertThat(refusal(() -> FrameReader.of(new ByteArrayInputStream(ascii("xya"))).readDelimited(ascii("ab"))))
			.as("half a delimiter").isEqualTo(Reason.TRUNCATED);
	}

	// ---- exact reads ----

	@Test
	void readingZeroBytesTakesNothing() throws IOException {
		Chunked client = chunked(ascii("abc"), Chunking.WHOLE).blockingAfter(0);
		FrameReader in = FrameReader.of(client);
		assertThat(in.readExactly(0)).isEmpty();
		assertThat(client.position()).isZero();
		assertThat(FrameReader.of(new ByteArrayInputStream(new byte[0])).readExactly(0)).isEmpty();
	}

	@ParameterizedTest
	@EnumSource(Chunking.class)
	void readsExactlyTheFrameLimitAndRefusesOneMoreBeforeReading(Chunking chunking) throws IOException {
		int max = 300_000;
		byte[] block = new byte[max + 1];
		new java.util.Random(1).nextBytes(block);
		if (chunking != Chunking.WHOLE) {
			max = 3000; // a byte per read is slow: a smaller limit shows the same
		}
		Chunked client = chunked(block, chunking);
		FrameReader in = FrameReader.of(client).maxFrameLength(max);
		assertThat(in.readExactly(max)).isEqualTo(Arrays.copyOf(block, max));
		Chunked untouched = chunked(block, chunking).blockingAfter(0);
		FrameReader over = FrameReader.of(untouched).maxFrameLength(max);
		int tooMany = max + 1;
		assertThat(refusal(() -> over.readExactly(tooMany))).isEqualTo(Reason.TOO_LONG);
		assertThat(refusal(() -> over.readExactly(-1))).isEqualTo(Reason.MALFORMED);
		assertThat(untouched.position()).isZero();
	}

	/** memcached's {@code set}: a command line, a block of the length it gives, and the block's CR LF. */
	@ParameterizedTest
	@EnumSource(Chunking.class)
	void linesAndBlocksMix(Chunking chunking) throws IOException {
		FrameReader in = FrameReader.of(chunked(ascii("set k 0 0 5\r\nhe\r\no\r\nget k\r\n"), chunking))
			.lineEnding(LineEnding.CRLF);
		String[] command = in.readLine().split(" ");
		assertThat(in.readExactly(Integer.parseInt(command[4]))).asString(StandardCharsets.US_ASCII).isEqualTo("he\r\no");
		assertThat(in.readLine()).isEmpty();
		assertThat(in.readLine()).isEqualTo("get k");
		assertThat(in.readLine()).isNull();
	}

	@Test
	void anExactReadCutShortIsTruncated() {
		assertThat(refusal(() -> FrameReader.of(new ByteArrayInputStream(new byte[0])).readExactly(1)))
			.isEqualTo(Reason.TRUNCATED);
		assertThat(refusal(() -> FrameReader.of(new ByteArrayInputStream(new byte[99])).readExactly(100)))
			.isEqualTo(Reason.TRUNCATED);
	}

	// ---- the buffer ----

	@Test
	void theBufferStartsSmallAndAShortLineLeavesItSo() throws IOException {
		FrameReader in = FrameReader.of(new ByteArrayInputStream(ascii("short\n".repeat(10))));
		assertThat(in.capacity()).isEqualTo(FrameReader.INITIAL_CAPACITY);
		assertThat(lines(in)).hasSize(10);
		assertThat(in.capacity()).isEqualTo(FrameReader.INITIAL_CAPACITY);
	}

	/**
	 * At every read, the buffer is at most twice what the client has sent (or its initial size):
	 * it grows with the bytes that came, never ahead of them, whatever the frame.
	 */
	@Test
	void theBufferGrowsOnlyAsBytesArrive() throws IOException {
		byte[] input = concat(ascii("x".repeat(100_000) + "\n"), ascii("y".repeat(50_000)), new byte[] { 0 },
				new byte[] { 0x00, 0x0f, 0x42, 0x40 }, new byte[1_000_000], ascii("tail"));
		for (int most : new int[] { 1, 1000, Integer.MAX_VALUE }) {
			FrameReader[] reader = new FrameReader[1];
			List<String> violations = new ArrayList<>();
			InputStream watched = new Chunked(input, most, null) {

				@Override
				public int read(byte[] buffer, int offset, int length) throws IOException {
					int cap = reader[0].capacity();
					if (cap > Math.max(FrameReader.INITIAL_CAPACITY, 2L * position())) {
						violations.add(cap + " bytes of buffer after " + position() + " received");
					}
					return super.read(buffer, offset, length);
				}

			};
			FrameReader in = FrameReader.of(watched).maxLineLength(200_000).maxFrameLength(2_000_000);
			reader[0] = in;
			assertThat(in.readLine()).hasSize(100_000);
			assertThat(in.readDelimited(new byte[] { 0 })).hasSize(50_000);
			assertThat(in.readFrame(LengthField.uint32())).hasSize(1_000_000);
			assertThat(in.readExactly(4)).containsExactly('t', 'a', 'i', 'l');
			assertThat(violations).as("reads of at most %d", most).isEmpty();
		}
	}

	/** After a large frame, the buffer goes back to the read-ahead size: an idle client keeps little. */
	@Test
	void theBufferShrinksAfterALargeFrame() throws IOException {
		int mib = 1 << 20;
		// in parts, as a client that waits for each answer sends them: nothing is buffered after each large frame
		InputStream parts = TestStreams.parts(ascii("l".repeat(mib) + "\r\n"), ascii("next\r\n"),
				ascii("d".repeat(mib) + "<end>"), ascii("after<end>"), concat(new byte[] { 0, 0x10, 0, 0 }, new byte[mib]),
				ascii("x\n"));
		FrameReader in = FrameReader.of(parts).maxLineLength(2 * mib).maxFrameLength(2 * mib);
		assertThat(in.readLine()).hasSize(mib);
		assertThat(in.capacity()).isLessThanOrEqualTo(FrameReader.READ_AHEAD);
		assertThat(in.readLine()).isEqualTo("next");
		assertThat(in.readDelimited(ascii("<end>"))).hasSize(mib);
		assertThat(in.capacity()).isLessThanOrEqualTo(FrameReader.READ_AHEAD);
		assertThat(in.readDelimited(ascii("<end>"))).asString(StandardCharsets.US_ASCII).isEqualTo("after");
		// a counted frame is read into its own array: the buffer never grows for it
		assertThat(in.readFrame(LengthField.uint32())).hasSize(mib);
		assertThat(in.capacity()).isLessThanOrEqualTo(FrameReader.READ_AHEAD);
		assertThat(in.readLine()).isEqualTo("x");
	}

	/**
	 * Limits near {@link Integer#MAX_VALUE}: the arithmetic on them must not overflow (a sum past
	 * 2^31 - 1 turns negative and refuses every line, or lets the buffer stop growing), and a
	 * declared length is still not allocated before its bytes come.
	 */
	@Test
	void limitsNearIntegerMaxValueDoNotOverflow() throws IOException {
		String line = "m".repeat(100_000);
		for (int max : new int[] { Integer.MAX_VALUE, Integer.MAX_VALUE - 1, Integer.MAX_VALUE - 2 }) {
			for (LineEnding ending : LineEnding.values()) {
				FrameReader in = FrameReader.of(new ByteArrayInputStream(ascii(line + "\r\n"))).lineEnding(ending)
					.maxLineLength(max);
				assertThat(in.readLine()).as("%s %d", ending, max).startsWith(line);
			}
			FrameReader delimited = FrameReader.of(new ByteArrayInputStream(ascii(line + "<sep>"))).maxLineLength(max);
			assertThat(delimited.readDelimited(ascii("<sep>"))).hasSize(line.length());
		}
		// a declared 2^31 - 65536 with that limit waits for the bytes: 1 MB then the end is truncated
		byte[] oneMb = new byte[1_000_000];
		byte[] declared = concat(new byte[] { 0x7f, (byte) 0xff, 0, 0 }, oneMb);
		Reason[] reason = new Reason[1];
		assertThat(allocatedWhile(() -> reason[0] = refusal(() -> FrameReader.of(new ByteArrayInputStream(declared))
			.maxFrameLength(Integer.MAX_VALUE)
			.readFrame(LengthField.uint32())))).isLessThan(8_000_000);
		assertThat(reason[0]).isEqualTo(Reason.TRUNCATED);
		assertThat(allocatedWhile(() -> refusal(
				() -> FrameReader.of(new ByteArrayInputStream(oneMb)).maxFrameLength(Integer.MAX_VALUE).readExactly(Integer.MAX_VALUE))))
			.isLessThan(8_000_000);
		FrameReader huge = FrameReader.of(new ByteArrayInputStream(oneMb)).maxFrameLength(Integer.MAX_VALUE);
		assertThat(refusal(() -> huge.readExactly(Integer.MAX_VALUE))).isEqualTo(Reason.TRUNCATED);
	}

	/** Returns the bytes this thread allocated while running {@code action}; -1 where it is not measurable. */
	static long allocatedWhile(Callable<?> action) {
		long thread = Thread.currentThread().getId();
		boolean measure = THREADS.isThreadAllocatedMemorySupported();
		if (measure) {
			THREADS.setThreadAllocatedMemoryEnabled(true);
		}
		long before = measure ? THREADS.getThreadAllocatedBytes(thread) : 0;
		try {
			action.call();
		}
		catch (Exception ex) {
			throw new AssertionError(ex);
		}
		return measure ? THREADS.getThreadAllocatedBytes(thread) - before : -1;
	}

	/**
	 * Strict CR LF checks each byte for a bare CR or LF once, not every byte again at each read:
	 * a client that trickles a long line byte by byte must not cost time in the square of it.
	 */
	@Test
	void aStrictLineTrickledByteByByteCostsLinearTime() throws IOException {
		int length = 1 << 20;
		byte[] input = ascii("t".repeat(length) + "\r\n");
		FrameReader in = FrameReader.of(chunked(input, Chunking.ONE_BYTE)).lineEnding(LineEnding.CRLF)
			.maxLineLength(2 * length);
		// linear: tens of milliseconds; rescanning at each read: 2^39 comparisons, many minutes
		String line = assertTimeoutPreemptively(Duration.ofSeconds(20), in::readLine);
		assertThat(line).hasSize(length);
	}

	// ---- frame state, deadlines and reports ----

	@Test
	void aFrameTimeoutBoundsTheFrameNotTheWaitForIt() throws IOException {
		List<Long> deadlineAtEachRead = new ArrayList<>();
		FakeConnection[] connection = new FakeConnection[1];
		InputStream client = new Chunked(ascii("one\ntwo\n"), 2, null) {

			@Override
			public int read(byte[] buffer, int offset, int length) throws IOException {
				deadlineAtEachRead.add(connection[0].deadline());
				return super.read(buffer, offset, length);
			}

		};
		connection[0] = new FakeConnection(client);
		long before = System.nanoTime();
		FrameReader in = FrameReader.of(connection[0]).frameTimeout(Duration.ofSeconds(30));
		assertThat(lines(in)).containsExactly("one", "two");
		// two bytes per read: "on" waits for the client without a deadline (the idle timeout's
		// business), "e\n" is read within the frame's; the same for "two"; the end, without one
		assertThat(deadlineAtEachRead).hasSize(5);
		assertThat(deadlineAtEachRead.get(0)).isZero();
		assertThat(deadlineAtEachRead.get(2)).isZero();
		assertThat(deadlineAtEachRead.get(4)).isZero();
		for (long deadline : List.of(deadlineAtEachRead.get(1), deadlineAtEachRead.get(3))) {
			assertThat(deadline - before).isPositive().isLessThanOrEqualTo(Duration.ofSeconds(31).toNanos());
		}
		assertThat(connection[0].deadline()).as("no deadline between frames").isZero();
	}

	@Test
	void aReadTimeoutPastTheFrameDeadlineIsStalledAndBeforeItIsNot() throws IOException {
		InputStream timesOut = new InputStream() {

			private boolean sent;

			@Override
			public int read() {
				throw new UnsupportedOperationException();
			}

			@Override
			public int read(byte[] buffer, int offset, int length) throws IOException {
				if (!this.sent) {
					this.sent = true;
					buffer[offset] = 'a';
					return 1;
				}
				throw new SocketTimeoutException("Read timed out");
			}

		};
		FakeConnection past = new FakeConnection(timesOut);
		FrameReader stalled = FrameReader.of(past).frameTimeout(Duration.ofNanos(1));
		assertThat(refusal(stalled::readLine)).isEqualTo(Reason.STALLED);
		assertThat(past.rejected).containsExactly("stalled");
		// the idle timeout, shorter than the frame's: not the frame's fault, and the connection closes as idle
		FakeConnection idle = new FakeConnection(new java.io.SequenceInputStream(new ByteArrayInputStream(ascii("a")),
				new InputStream() {

					@Override
					public int read() throws IOException {
						throw new SocketTimeoutException("Read timed out");
					}

				}));
		FrameReader notYet = FrameReader.of(idle).frameTimeout(Duration.ofHours(1));
		assertThatThrownBy(notYet::readLine).isExactlyInstanceOf(SocketTimeoutException.class);
		assertThat(idle.rejected).isEmpty();
	}

	@Test
	void aTimeoutOrAResetBetweenFramesIsNotAFrameError() throws IOException {
		InputStream silent = new InputStream() {

			@Override
			public int read() throws IOException {
				throw new SocketTimeoutException("Read timed out");
			}

		};
		FrameReader idle = FrameReader.of(new FakeConnection(silent)).frameTimeout(Duration.ofNanos(1));
		assertThatThrownBy(idle::readLine).isExactlyInstanceOf(SocketTimeoutException.class);
		InputStream reset = new InputStream() {

			@Override
			public int read() throws IOException {
				throw new SocketException("Connection reset");
			}

		};
		assertThat(FrameReader.of(reset).readLine()).as("a client that resets between frames has left").isNull();
	}

	/**
	 * A refusal ends the frame: its deadline does not linger on the connection to cut short the
	 * wait for what the handler reads next (an exact read after a refused line starts its own frame).
	 */
	@Test
	void aRefusalLeavesNoDeadlineBehind() throws IOException {
		FakeConnection connection = new FakeConnection(new ByteArrayInputStream(ascii("x".repeat(20) + "\n")));
		FrameReader in = FrameReader.of(connection).maxLineLength(10).frameTimeout(Duration.ofSeconds(30));
		assertThat(refusal(in::readLine)).isEqualTo(Reason.TOO_LONG);
		assertThat(connection.deadline()).as("the refused frame's deadline").isZero();
		int before = connection.deadlines.size();
		assertThat(in.readExactly(5)).isEqualTo(ascii("xxxxx"));
		assertThat(connection.deadlines.subList(before, connection.deadlines.size())).hasSize(2)
			.satisfies((set) -> assertThat(set.get(0)).isNotZero(), (set) -> assertThat(set.get(1)).isZero());
	}

	@Test
	void everyRefusalIsReportedOnceWithItsTag() throws IOException {
		FakeConnection connection = new FakeConnection(new ByteArrayInputStream(
				concat(ascii("ok\n" + "x".repeat(20) + "\n"), new byte[] { (byte) 0xff, '\n' }, ascii("cut"))));
		FrameReader in = FrameReader.of(connection).maxLineLength(10);
		assertThat(in.readLine()).isEqualTo("ok");
		assertThat(refusal(in::readLine)).isEqualTo(Reason.TOO_LONG);
		assertThat(connection.rejected).containsExactly("too-long");
		assertThat(Arrays.stream(Reason.values()).map(Reason::tag)).containsExactly("too-long", "malformed", "stalled",
				"truncated", "over-budget");
	}

	@Test
	void settingsAreChecked() {
		FrameReader in = FrameReader.of(new ByteArrayInputStream(new byte[0]));
		assertThatIllegalArgumentException().isThrownBy(() -> in.maxLineLength(0));
		assertThatIllegalArgumentException().isThrownBy(() -> in.maxFrameLength(-1));
		assertThatIllegalArgumentException().isThrownBy(() -> in.frameTimeout(Duration.ofMillis(-1)));
		assertThatIllegalArgumentException().isThrownBy(() -> in.frameTimeout(null));
		assertThatThrownBy(() -> FrameReader.of((InputStream) null)).isInstanceOf(NullPointerException.class);
		assertThat(in.getMaxLineLength()).isEqualTo(8 * 1024);
		assertThat(in.getMaxFrameLength()).isEqualTo(1024 * 1024);
	}

	@Test
	void hasBufferedSaysWhetherTheNextFrameMayBeThere() throws IOException {
		FrameReader in = FrameReader.of(new ByteArrayInputStream(ascii("a\nb\n")));
		assertThat(in.hasBuffered()).isFalse();
		assertThat(in.readLine()).isEqualTo("a");
		assertThat(in.hasBuffered()).isTrue();
		assertThat(in.readLine()).isEqualTo("b");
		assertThat(in.hasBuffered()).isFalse();
	}

}
