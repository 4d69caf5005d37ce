package dev.gserver.codec;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.gserver.Fuzz;
import dev.gserver.codec.FrameException.Reason;
import dev.gserver.codec.TestStreams.Chunked;

/**
 * Property-based tests of {@link FrameReader} in every read mode: random bytes, valid frames and
 * mutated valid frames (bytes flipped, inserted, cut, huge lengths), read in random pieces, from
 * a seed that is printed and can be set again with {@code -Dgserver.fuzz.seed=...} (and the
 * number of cases with {@code -Dgserver.fuzz.cases=...}) to replay a failure. Properties: only a
 * {@link FrameException} escapes (no ArrayIndexOutOfBounds, NegativeArraySize, OutOfMemory...);
 * valid input reads back as written, then ends cleanly; "truncated" only where the input ended;
 * what a case allocates follows the bytes it was given, not the lengths they declare.
 */
class FrameReaderFuzzTest {

	private static final long SEED = Fuzz.seed(FrameReaderFuzzTest.class, 0x6672616d65726431L);

	private static final int CASES = Fuzz.CASES;

	/** Only a cap for a slow machine: the count is the budget. */
	private static final long MAX_NANOS = TimeUnit.SECONDS.toNanos(30);

	/**
	 * What any input may cost: a counted frame's first 64 KiB are allocated from its header, the
	 * buffer reads ahead up to 16 KiB, an exception carries its stack trace.
	 */
	private static final long FIXED_ALLOCATION = 256 * 1024;

	/** What each byte received may cost on top: arrays that double as they fill, copies, decoded chars. */
	private static final long ALLOCATION_PER_BYTE = 64;


	/** Bytes that matter to some mode: terminators, delimiter bytes, UTF-8 lead and continuation bytes, high bits. */
	private static final byte[] INTERESTING = { '\r', '\n', 0, 1, 2, 3, 'a', 'b', (byte) 0x7f, (byte) 0x80, (byte) 0xbf,
			(byte) 0xc3, (byte) 0xa9, (byte) 0xe2, (byte) 0xed, (byte) 0xf0, (byte) 0xf4, (byte) 0xff, '0', '5', '9' };

	enum Mode {

		LINE_ANY, LINE_LF, LINE_CRLF, LINE_BYTES, DELIMITED, LENGTH_FIELD, LINE_AND_BLOCK

	}

	/** How one case reads: the mode and the reader's settings. */
	record Config(Mode mode, LineEnding ending, int maxLine, int maxFrame, byte[] delimiter, FieldSpec field) {

		FrameReader reader(Chunked in) {
			return FrameReader.of(in).lineEnding(this.ending).maxLineLength(this.maxLine).maxFrameLength(this.maxFrame);
		}

	}

	/** A length field's shape, from which both the reader's field and the writer's (without offset) are made. */
	record FieldSpec(int width, boolean littleEndian, int offset, int adjustment, int strip) {

		LengthField field(boolean withOffset) {
			LengthField field = switch (this.width) {
				case 0 -> LengthField.varint();
				case 1 -> LengthField.uint8();
				case 2 -> LengthField.uint16();
				case 4 -> LengthField.uint32();
				default -> LengthField.int64();
			};
			if (this.littleEndian) {
				field = field.littleEndian();
			}
			field = field.adjustment(this.adjustment);
			if (withOffset) {
				field = field.offset(this.offset);
				if (this.strip >= 0) {
					field = field.strip(this.strip);
				}
			}
			return field;
		}

	}

	/** An input, and the frames it must read as when it is valid as generated (null when mutated or random). */
	record Case(Config config, byte[] input, List<byte[]> expected, String kind) {
	}

	enum Outcome {

		END, TOO_LONG, MALFORMED, TRUNCATED

	}

	@Test
	void onlyFrameExceptionsEscapeAndValidFramesReadBack() {
		Random random = new Random(SEED);
		boolean measure = Fuzz.measureAllocation();
		long deadline = System.nanoTime() + MAX_NANOS;
		Map<Mode, int[]> outcomes = new EnumMap<>(Mode.class);
		int valid = 0;
		int run = 0;
		while (run < CASES && System.nanoTime() < deadline) {
			Case generated = generate(random);
			if (generated.expected != null) {
				valid++;
			}
			// allocation is measured once the JIT has settled: compiling allocates on this thread too
			Outcome outcome = check(generated, random.nextLong(), run, measure && run > 2000);
			outcomes.computeIfAbsent(generated.config.mode, (m) -> new int[Outcome.values().length])[outcome.ordinal()]++;
			run++;
		}
		StringBuilder summary = new StringBuilder();
		outcomes.forEach((mode, counts) -> summary.append(' ').append(mode).append(Arrays.toString(counts)));
		System.out.println("FrameReaderFuzzTest ran " + run + " cases (" + valid + " valid as generated); "
				+ Arrays.toString(Outcome.values()) + " per mode:" + summary);
		assertThat(run).as("cases run within the time cap").isGreaterThanOrEqualTo(Math.min(CASES, 2000));
		assertThat(valid).as("valid cases").isGreaterThan(run / 5);
		// the generator must reach every mode and, in each, the end and a refusal, or the properties are checked on too little
		assertThat(outcomes).containsOnlyKeys(Mode.values());
		outcomes.forEach((mode, counts) -> {
			assertThat(counts[Outcome.END.ordinal()]).as("%s ends", mode).isPositive();
			assertThat(counts[Outcome.TRUNCATED.ordinal()]).as("%s truncated", mode).isPositive();
			assertThat(counts[Outcome.TOO_LONG.ordinal()] + counts[Outcome.MALFORMED.ordinal()])
				.as("%s refused", mode).isPositive();
		});
		int[] all = new int[Outcome.values().length];
		outcomes.values().forEach((counts) -> Arrays.setAll(all, (i) -> all[i] + counts[i]));
		assertThat(all).as("outcomes reached").doesNotContain(0);
	}

	// ---- checking ----

	private static Outcome check(Case generated, long chunkSeed, int run, boolean measure) {
		byte[] input = generated.input;
		Chunked in = new Chunked(input, 1 + new Random(chunkSeed).nextInt(64), new Random(chunkSeed));
		FrameReader reader = generated.config.reader(in);
		List<byte[]> frames = new ArrayList<>();
		long before = measure ? Fuzz.allocatedBytes() : 0;
		Outcome outcome;
		try {
			readAll(generated.config, reader, frames, input.length + 8);
			outcome = Outcome.END;
		}
		catch (FrameException ex) {
			assertThat(ex.getMessage()).as(() -> describe(generated, run)).hasSizeLessThan(200);
			if (ex.getReason() == Reason.TRUNCATED) {
				assertThat(in.position()).as(() -> describe(generated, run) + ": truncated before the input's end")
					.isEqualTo(input.length);
			}
			assertThat(ex.getReason()).as(() -> describe(generated, run)).isNotEqualTo(Reason.STALLED);
			assertThat(generated.expected).as(() -> describe(generated, run) + " is valid, yet refused: " + ex).isNull();
			outcome = Outcome.valueOf(ex.getReason().name());
		}
		catch (Throwable ex) {
			throw new AssertionError(describe(generated, run) + " threw " + ex, ex);
		}
		if (measure) {
			long allocated = Fuzz.allocatedBytes() - before;
			assertThat(allocated).as(() -> describe(generated, run) + ": allocated")
				.isLessThanOrEqualTo(FIXED_ALLOCATION + ALLOCATION_PER_BYTE * input.length);
		}
		if (generated.expected != null) {
			assertThat(frames).as(() -> describe(generated, run)).hasSameSizeAs(generated.expected);
			for (int i = 0; i < frames.size(); i++) {
				int frame = i;
				assertThat(frames.get(i)).as(() -> describe(generated, run) + " frame " + frame)
					.isEqualTo(generated.expected.get(i));
			}
			assertThat(in.position()).as(() -> describe(generated, run) + ": read to the end").isEqualTo(input.length);
		}
		return outcome;
	}

	/** Reads frames in the case's mode until the end of input; a line that is not a length ends a line-and-block input. */
	private static void readAll(Config config, FrameReader reader, List<byte[]> frames, int most) throws IOException {
		for (int i = 0; i < most; i++) {
			byte[] frame = switch (config.mode) {
				case LINE_ANY, LINE_LF, LINE_CRLF -> {
					String line = reader.readLine();
					yield (line == null) ? null : line.getBytes(StandardCharsets.UTF_8);
				}
				case LINE_BYTES -> reader.readLineBytes();
				case DELIMITED -> reader.readDelimited(config.delimiter);
				case LENGTH_FIELD -> reader.readFrame(config.field.field(true));
				case LINE_AND_BLOCK -> {
					String line = reader.readLine();
					if (line == null) {
						yield null;
					}
					int length;
					try {
						length = Integer.parseInt(line);
					}
					catch (NumberFormatException ex) {
						// the handler's own parse: not the reader's concern
						yield null;
					}
					yield reader.readExactly(length);
				}
			};
			if (frame == null) {
				return;
			}
			frames.add(frame);
		}
		throw new AssertionError("more frames than bytes: the reader does not advance");
	}

	private static String describe(Case generated, int run) {
		Config c = generated.config;
		String input = (generated.input.length > 600)
				? HexFormat.of().formatHex(generated.input, 0, 600) + "... (" + generated.input.length + " bytes)"
				: HexFormat.of().formatHex(generated.input);
		return "case " + run + " (seed " + SEED + ") " + generated.kind + " " + c.mode + " " + c.ending + " maxLine="
				+ c.maxLine + " maxFrame=" + c.maxFrame + " delimiter=" + HexFormat.of().formatHex(c.delimiter) + " field="
				+ c.field + " input=" + input;
	}

	// ---- generating ----

	private static Case generate(Random random) {
		Config config = config(random);
		int kind = random.nextInt(10);
		if (kind == 0) {
			byte[] noise = new byte[random.nextInt(300)];
			for (int i = 0; i < noise.length; i++) {
				noise[i] = random.nextBoolean() ? INTERESTING[random.nextInt(INTERESTING.length)] : (byte) random.nextInt();
			}
			return new Case(config, noise, null, "random");
		}
		List<byte[]> expected = new ArrayList<>();
		byte[] valid = valid(config, random, expected);
		if (kind <= 4) {
			return new Case(config, valid, expected, "valid");
		}
		byte[] mutated = mutate(valid, random);
		return new Case(config, mutated, Arrays.equals(mutated, valid) ? expected : null, "mutated");
	}

	private static Config config(Random random) {
		Mode mode = Mode.values()[random.nextInt(Mode.values().length)];
		LineEnding ending = switch (mode) {
			case LINE_LF -> LineEnding.LF;
			case LINE_CRLF -> LineEnding.CRLF;
			case LINE_BYTES -> LineEnding.values()[random.nextInt(3)];
			default -> LineEnding.ANY;
		};
		int maxLine = switch (random.nextInt(4)) {
			case 0 -> 1 + random.nextInt(4);
			case 1 -> 1 + random.nextInt(64);
			case 2 -> 1 + random.nextInt(1024);
			default -> 8192;
		};
		if (mode == Mode.LINE_AND_BLOCK) {
			maxLine = Math.max(maxLine, 12); // room for a length and its terminator
		}
		int maxFrame = switch (random.nextInt(4)) {
			case 0 -> 1 + random.nextInt(16);
			case 1 -> 1 + random.nextInt(512);
			case 2 -> 1 << 20;
			default -> Integer.MAX_VALUE;
		};
		byte[] delimiter = new byte[1 + random.nextInt(4)];
		for (int i = 0; i < delimiter.length; i++) {
			delimiter[i] = (byte) "ab\0\3".charAt(random.nextInt(random.nextBoolean() ? 2 : 4));
		}
		int width = new int[] { 0, 1, 2, 4, 8 }[random.nextInt(5)];
		int offset = random.nextInt(4) == 0 ? random.nextInt(4) : 0;
		int adjustment = random.nextInt(3) == 0 ? random.nextInt(9) - 4 : 0;
		int strip = random.nextBoolean() ? -1 : random.nextInt(offset + Math.max(width, 1) + 4);
		return new Config(mode, ending, maxLine, maxFrame, delimiter,
				new FieldSpec(width, random.nextBoolean(), offset, adjustment, strip));
	}

	/** Writes 0 to 6 valid frames for the config, within its limits, and adds what each reads as to {@code expected}. */
	private static byte[] valid(Config config, Random random, List<byte[]> expected) {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		int frames = random.nextInt(7);
		for (int f = 0; f < frames; f++) {
			switch (config.mode) {
				case LINE_ANY, LINE_LF, LINE_CRLF, LINE_BYTES -> {
					byte[] line = lineContent(config, random);
					out.writeBytes(line);
					boolean crlf = config.ending == LineEnding.CRLF || (config.ending == LineEnding.ANY && random.nextBoolean());
					out.writeBytes(crlf ? new byte[] { '\r', '\n' } : new byte[] { '\n' });
					expected.add((config.ending == LineEnding.LF && crlf) ? TestStreams.concat(line, new byte[] { '\r' }) : line);
				}
				case DELIMITED -> {
					byte[] frame = randomBytes(random, random.nextInt(config.maxLine + 1), "abz\0\3");
					try {
						ByteArrayOutputStream one = new ByteArrayOutputStream();
						FrameWriter.of(one).writeDelimited(frame, config.delimiter).flush();
						out.writeBytes(one.toByteArray());
					}
					catch (IllegalArgumentException holdsTheDelimiter) {
						frame = randomBytes(random, Math.min(frame.length, config.maxLine), "z");
						out.writeBytes(frame);
						out.writeBytes(config.delimiter);
					}
					catch (IOException ex) {
						throw new AssertionError(ex);
					}
					expected.add(frame);
				}
				case LENGTH_FIELD -> {
					if (!lengthFieldFrame(config, random, out, expected)) {
						return out.toByteArray();
					}
				}
				case LINE_AND_BLOCK -> {
					int length = random.nextInt(Math.min(config.maxFrame, 300) + 1);
					byte[] block = randomBytes(random, length, "ab\r\n\0");
					out.writeBytes((length + (random.nextBoolean() ? "\r\n" : "\n")).getBytes(StandardCharsets.US_ASCII));
					out.writeBytes(block);
					expected.add(block);
				}
			}
		}
		return out.toByteArray();
	}

	/** A line valid for the mode: no terminator inside, decodable where it is decoded, within the limit. */
	private static byte[] lineContent(Config config, Random random) {
		int length = random.nextInt(Math.min(config.maxLine, 200) + 1);
		ByteArrayOutputStream line = new ByteArrayOutputStream();
		boolean decoded = config.mode != Mode.LINE_BYTES;
		while (line.size() < length) {
			int pick = random.nextInt(10);
			if (decoded && pick == 0 && line.size() + 2 <= length) {
				line.writeBytes("é".getBytes(StandardCharsets.UTF_8));
			}
			else if (decoded && pick == 1 && line.size() + 3 <= length) {
				line.writeBytes("€".getBytes(StandardCharsets.UTF_8));
			}
			else if (pick == 2 && config.ending != LineEnding.CRLF && line.size() + 1 < length) {
				line.write('\r'); // an ordinary byte in LF and ANY, unless it ends the line
			}
			else if (!decoded && pick == 3) {
				line.write(0x80 + random.nextInt(128));
			}
			else {
				line.write("abc \t0".charAt(random.nextInt(6)));
			}
		}
		return line.toByteArray();
	}

	/**
	 * Writes one length-prefixed frame that fits the limit, header bytes before the field as its
	 * offset says; false when the field cannot describe any (an adjustment it cannot meet).
	 */
	private static boolean lengthFieldFrame(Config config, Random random, ByteArrayOutputStream out,
			List<byte[]> expected) {
		FieldSpec spec = config.field;
		int fieldWidth = (spec.width == 0) ? 1 : spec.width;
		int room = config.maxFrame - spec.offset - fieldWidth - 2;
		int body = random.nextInt(Math.max(0, Math.min(room, 400)) + 1);
		if (spec.width == 1) {
			body = Math.min(body, 255 + spec.adjustment);
		}
		if (body - spec.adjustment < 0 || body < 0) {
			return false;
		}
		byte[] header = randomBytes(random, spec.offset, "ab\0\377");
		byte[] payload = randomBytes(random, body, "ab\r\n\0\377");
		ByteArrayOutputStream framed = new ByteArrayOutputStream();
		try {
			FrameWriter.of(framed).writeFrame(spec.field(false), payload).flush();
		}
		catch (IOException ex) {
			throw new AssertionError(ex);
		}
		byte[] whole = TestStreams.concat(header, framed.toByteArray());
		int headerLength = whole.length - body;
		int strip = (spec.strip < 0) ? headerLength : spec.strip;
		if (whole.length > config.maxFrame || strip > whole.length) {
			return false;
		}
		out.writeBytes(whole);
		expected.add(Arrays.copyOfRange(whole, strip, whole.length));
		return true;
	}

	private static byte[] randomBytes(Random random, int length, String alphabet) {
		byte[] bytes = new byte[length];
		for (int i = 0; i < length; i++) {
			bytes[i] = (byte) alphabet.charAt(random.nextInt(alphabet.length()));
		}
		return bytes;
	}

	private static byte[] mutate(byte[] valid, Random random) {
		byte[] bytes = valid;
		int mutations = 1 + random.nextInt(3);
		for (int m = 0; m < mutations; m++) {
			int at = (bytes.length == 0) ? 0 : random.nextInt(bytes.length + 1);
			switch (random.nextInt(7)) {
				case 0 -> { // flip a byte to something that matters
					if (at < bytes.length) {
						bytes = bytes.clone();
						bytes[at] = INTERESTING[random.nextInt(INTERESTING.length)];
					}
				}
				case 1 -> bytes = Arrays.copyOf(bytes, at); // cut short
				case 2 -> bytes = splice(bytes, at, 0, new byte[] { INTERESTING[random.nextInt(INTERESTING.length)] });
				case 3 -> { // a huge declared length: 2 GB, 4 GB, 2^63 - 1 in each encoding
					byte[][] huge = { { 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff }, { (byte) 0xff, (byte) 0xff, (byte) 0xff,
							(byte) 0xff }, { (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x08 },
							{ 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff },
							"2147483647\r\n".getBytes(StandardCharsets.US_ASCII), "-5\n".getBytes(StandardCharsets.US_ASCII) };
					bytes = splice(bytes, random.nextBoolean() ? 0 : at, 0, huge[random.nextInt(huge.length)]);
				}
				case 4 -> { // a long run without terminator
					byte[] run = new byte[random.nextInt(20_000)];
					Arrays.fill(run, (byte) (random.nextBoolean() ? 'a' : 0x80));
					bytes = splice(bytes, at, 0, run);
				}
				case 5 -> { // duplicate a range
					int length = random.nextInt(Math.min(bytes.length - Math.min(at, bytes.length), 50) + 1);
					bytes = splice(bytes, at, 0, Arrays.copyOfRange(bytes, at, Math.min(at + length, bytes.length)));
				}
				default -> { // delete a range
					int length = Math.min(random.nextInt(8), bytes.length - Math.min(at, bytes.length));
					bytes = splice(bytes, at, length, new byte[0]);
				}
			}
		}
		return bytes;
	}

	private static byte[] splice(byte[] bytes, int at, int remove, byte[] insert) {
		at = Math.min(at, bytes.length);
		remove = Math.min(remove, bytes.length - at);
		return TestStreams.concat(Arrays.copyOf(bytes, at), insert, Arrays.copyOfRange(bytes, at + remove, bytes.length));
	}

}
