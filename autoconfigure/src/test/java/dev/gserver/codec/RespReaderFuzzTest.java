package dev.gserver.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.gserver.Fuzz;
import dev.gserver.codec.FrameException.Reason;
import dev.gserver.proxy.ProxyHeaderTest.TrickleInputStream;

/**
 * Property-based tests of {@link RespReader}: random bytes, valid pipelined commands and mutated
 * ones, with huge length fields, from a seed that is printed and can be set again with
 * {@code -Dgserver.fuzz.seed=...} (and the number of cases with {@code -Dgserver.fuzz.cases=...})
 * to replay a failure.
 */
class RespReaderFuzzTest {

	private static final long SEED = Fuzz.seed(RespReaderFuzzTest.class, 0x7265737066757a7aL);

	private static final int CASES = Fuzz.CASES;

	/** Only a cap for a slow machine: the count is the budget. */
	private static final long MAX_NANOS = TimeUnit.SECONDS.toNanos(3);

	/** Redis's proto-max-bulk-len, the reader's default. */
	private static final long MAX_BULK_LENGTH = 512L * 1024 * 1024;

	/**
	 * What any input may cost: a bulk string's first 64 KiB are allocated from its header, the
	 * read buffer grows to 16 KiB (the FrameReader's read-ahead), and an exception carries its
	 * stack trace.
	 */
	private static final long FIXED_ALLOCATION = 128 * 1024;

	/** What each byte received may cost on top: arrays that double as they fill, and their copies. */
	private static final long ALLOCATION_PER_BYTE = 32;

	/** What ends an inline argument. */
	private static final byte[] SEPARATORS = { ' ', '\t', '\r' };

	/** What is skipped between inline arguments: a vertical tab or form feed only after a separator. */
	private static final byte[] WHITESPACE = { ' ', '\t', '\r', 0x0B, '\f' };


	@Test
	void onlyProtocolErrorsEscapeAndValidCommandsReadBack() {
		Random random = new Random(SEED);
		boolean measure = Fuzz.measureAllocation();
		long deadline = System.nanoTime() + MAX_NANOS;
		int[] outcomes = new int[Outcome.values().length];
		int run = 0;
		while (run < CASES && System.nanoTime() < deadline) {
			Case generated = generate(random);
			Outcome outcome = check(generated, random.nextInt(64) + 1, run, measure && run > 2000);
			outcomes[outcome.ordinal()]++;
			run++;
		}
		System.out.println("RespReaderFuzzTest ran " + run + " cases: " + Arrays.toString(Outcome.values()) + " "
				+ Arrays.toString(outcomes));
		assertThat(run).as("cases run within the time cap").isGreaterThanOrEqualTo(Math.min(CASES, 1000));
		// the generator must reach every outcome, or the properties are checked on too little
		assertThat(outcomes).as("outcomes reached").doesNotContain(0);
	}

	/** A huge length field followed by a few bytes costs a bounded allocation, not the length. */
	@Test
	void allocationDoesNotFollowTheLengthField() {
		assumeTrue(Fuzz.measureAllocation(), "allocation is not measurable on this JVM");
		Object[][] inputs = { { "*1\r\n$536870000\r\nabc", MAX_BULK_LENGTH }, { "*1\r\n$2000000000\r\nabc", Long.MAX_VALUE },
				{ "*2\r\n$3\r\nGET\r\n$2147483639\r\nab", Long.MAX_VALUE }, { "*2147483647\r\n$1\r\na\r\n", MAX_BULK_LENGTH },
				{ "*1048576\r\n$0\r\n\r\n$0\r\n\r\n", MAX_BULK_LENGTH }, { "*1\r\n$2000000000\r\nabc", MAX_BULK_LENGTH },
				{ "*1\r\n$9223372036854775807\r\n", Long.MAX_VALUE }, { "$2000000000\r\n", MAX_BULK_LENGTH } };
		for (int i = 0; i < 200; i++) {
			for (Object[] input : inputs) {
				allocatedReading(ascii((String) input[0]), (Long) input[1], 64);
			}
		}
		for (Object[] input : inputs) {
			assertThat(allocatedReading(ascii((String) input[0]), (Long) input[1], 64)).as((String) input[0])
				.isLessThan(FIXED_ALLOCATION);
		}
	}

	/** Found by the fuzzing: a CR after a multi-bulk header went into the error line, ending the reply early. */
	@Test
	void protocolErrorMessagesHaveNoLineBreaks() {
		for (String input : new String[] { "*1\r\n\r\n", "*1\r\n\n", "*2\r\n$1\r\na\r\n\r\n" }) {
			RespReader reader = RespReader.of(new ByteArrayInputStream(ascii(input)));
			assertThatExceptionOfType(FrameException.class).isThrownBy(reader::readCommand)
				.withMessage("expected '$', got ' '");
		}
	}

	/** Returns the bytes allocated by this thread while reading every command of {@code input}. */
	private static long allocatedReading(byte[] input, long maxBulkLength, int most) {
		RespReader reader = reader(new TrickleInputStream(input, most), maxBulkLength);
		long before = Fuzz.allocatedBytes();
		try {
			while (reader.readCommand() != null) {
				// only the allocation is measured here
			}
		}
		catch (IOException ex) {
			// refused or cut short, as it may be
		}
		return Fuzz.allocatedBytes() - before;
	}

	private enum Outcome {

		COMMANDS, PROTOCOL_ERROR, TRUNCATED

	}

	/** Reads every command of one case and checks every property; {@code most} bounds the bytes per read. */
	private static Outcome check(Case generated, int most, int run, boolean measure) {
		TrickleInputStream in = new TrickleInputStream(generated.input, most);
		RespReader reader = reader(in, generated.maxBulkLength);
		List<List<byte[]>> commands = new ArrayList<>();
		long before = measure ? Fuzz.allocatedBytes() : 0;
		Outcome outcome;
		try {
			List<byte[]> command;
			while ((command = reader.readCommand()) != null) {
				// the reader fills the same list with each command: keep a copy
				commands.add(new ArrayList<>(command));
				// each command takes a byte at least: more commands than bytes is a loop
				assertThat(commands.size()).as(() -> describe(generated, run))
					.isLessThanOrEqualTo(generated.input.length);
			}
			assertThat(in.available()).as(() -> describe(generated, run) + ": end before the input's").isZero();
			outcome = Outcome.COMMANDS;
		}
		catch (FrameException ex) {
			// a handler sends the message as an error line: CR or LF in it would break the reply
			assertThat(ex.getMessage()).as(() -> describe(generated, run)).doesNotContain("\r", "\n").hasSizeLessThan(200);
			assertThat(ex.getReason()).as(() -> describe(generated, run)).isNotEqualTo(Reason.STALLED);
			if (ex.getReason() == Reason.TRUNCATED) {
				assertThat(in.available()).as(() -> describe(generated, run) + ": truncated before the end of the input")
					.isZero();
				outcome = Outcome.TRUNCATED;
			}
			else {
				outcome = Outcome.PROTOCOL_ERROR;
			}
		}
		catch (Throwable ex) {
			throw new AssertionError(describe(generated, run) + " threw " + ex, ex);
		}
		if (measure) {
			checkAllocation(generated, most, run, Fuzz.allocatedBytes() - before);
		}
		if (generated.expected != null) {
			assertThat(outcome).as(() -> describe(generated, run)).isEqualTo(Outcome.COMMANDS);
			assertThat(commands).as(() -> describe(generated, run)).hasSameSizeAs(generated.expected);
			for (int i = 0; i < commands.size(); i++) {
				assertThat(commands.get(i)).as(() -> describe(generated, run))
					.containsExactlyElementsOf(generated.expected.get(i));
			}
		}
		return outcome;
	}

	/**
	 * Allocation beyond the bound may be a first run's class loading (a message's string
	 * concatenation is linked when first used): it fails only if the same input does it again.
	 */
	private static void checkAllocation(Case generated, int most, int run, long allocated) {
		long limit = FIXED_ALLOCATION + ALLOCATION_PER_BYTE * generated.input.length;
		if (allocated > limit) {
			long again = allocatedReading(generated.input, generated.maxBulkLength, most);
			assertThat(again).as(() -> describe(generated, run) + ": bytes allocated").isLessThan(limit);
		}
	}

	private static String describe(Case generated, int run) {
		StringBuilder text = new StringBuilder("case ").append(run)
			.append(" (seed ")
			.append(SEED)
			.append(", ")
			.append(generated.kind)
			.append(", max bulk length ")
			.append(generated.maxBulkLength)
			.append(") input ");
		int shown = Math.min(generated.input.length, 160);
		for (int i = 0; i < shown; i++) {
			int b = generated.input[i] & 0xff;
			text.append((b >= 0x20 && b < 0x7f && b != '\\') ? String.valueOf((char) b) : String.format("\\x%02x", b));
		}
		if (shown < generated.input.length) {
			text.append("... (").append(generated.input.length).append(" bytes)");
		}
		return text.toString();
	}

	// generators

	private static Case generate(Random random) {
		int kind = random.nextInt(10);
		long maxBulkLength = (random.nextInt(4) == 0) ? random.nextInt(100) : MAX_BULK_LENGTH;
		if (kind < 2) {
			return new Case("random bytes", randomBytes(random), null, maxBulkLength);
		}
		List<List<byte[]>> commands = new ArrayList<>();
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		for (int i = random.nextInt(4) + 1; i > 0; i--) {
			List<byte[]> command = randomCommand(random);
			commands.add(command);
			out.writeBytes(encode(random, command));
		}
		byte[] input = out.toByteArray();
		if (kind < 5) {
			return new Case("valid", input, commands, MAX_BULK_LENGTH);
		}
		StringBuilder how = new StringBuilder("mutated:");
		for (int i = random.nextInt(3); i >= 0; i--) {
			input = mutate(random, input, how);
		}
		return new Case(how.toString(), input, null, maxBulkLength);
	}

	/** Random bytes, often after a marker, so that the reader gets past the first byte. */
	private static byte[] randomBytes(Random random) {
		byte[] bytes = new byte[random.nextInt(random.nextBoolean() ? 16 : 300)];
		random.nextBytes(bytes);
		if (bytes.length > 0 && random.nextBoolean()) {
			bytes[0] = '*';
			if (bytes.length > 4 && random.nextBoolean()) {
				bytes[1] = (byte) ('0' + random.nextInt(10));
				bytes[2] = '\r';
				bytes[3] = '\n';
				bytes[4] = '$';
			}
		}
		return bytes;
	}

	private static List<byte[]> randomCommand(Random random) {
		List<byte[]> command = new ArrayList<>();
		String[] names = { "GET", "SET", "PING", "ECHO", "DEL", "INCR" };
		boolean named = random.nextBoolean();
		for (int i = random.nextInt(5); i > 0; i--) {
			if (named) {
				command.add(ascii(names[random.nextInt(names.length)]));
				named = false;
				continue;
			}
			int length;
			switch (random.nextInt(1000)) {
				case 0:
					length = 0;
					break;
				case 1:
					// past the 64 KiB allocated at once, so that the bulk's array grows
					length = 65536 + random.nextInt(70000);
					break;
				default:
					length = random.nextInt(40);
			}
			byte[] argument = new byte[length];
			random.nextBytes(argument);
			if (random.nextBoolean()) {
				// printable, so that the command may be written inline
				for (int j = 0; j < length; j++) {
					argument[j] = (byte) ('!' + random.nextInt(94));
				}
			}
			command.add(argument);
		}
		return command;
	}

	/** Writes a command as a multi-bulk, or inline when its arguments allow it. */
	private static byte[] encode(Random random, List<byte[]> command) {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		if (random.nextBoolean() && inlineable(command)) {
			for (byte[] argument : command) {
				out.write(SEPARATORS[random.nextInt(SEPARATORS.length)]);
				for (int i = random.nextInt(3); i > 0; i--) {
					out.write(WHITESPACE[random.nextInt(WHITESPACE.length)]);
				}
				out.writeBytes(argument);
			}
			out.writeBytes(ascii(random.nextBoolean() ? "\r\n" : "\n"));
			return out.toByteArray();
		}
		out.writeBytes(ascii("*" + command.size() + "\r\n"));
		for (byte[] argument : command) {
			out.writeBytes(ascii("$" + argument.length + "\r\n"));
			out.writeBytes(argument);
			out.writeBytes(ascii("\r\n"));
		}
		return out.toByteArray();
	}

	/**
	 * Inline, arguments are split at whitespace, quotes are Redis's, a NUL ends the line's
	 * arguments, the line may not start with '*' (a multi-bulk) and is at most 64 KiB.
	 */
	private static boolean inlineable(List<byte[]> command) {
		int length = 0;
		for (byte[] argument : command) {
			if (argument.length == 0) {
				return false;
			}
			for (byte b : argument) {
				if (b == '\n' || b == '*' || b == '"' || b == '\'' || b == 0 || isWhitespace(b)) {
					return false;
				}
			}
			length += argument.length + 3;
		}
		return length < 60 * 1024;
	}

	private static boolean isWhitespace(byte b) {
		for (byte space : WHITESPACE) {
			if (b == space) {
				return true;
			}
		}
		return false;
	}

	/** Applies one mutation, recording it in {@code how}. */
	private static byte[] mutate(Random random, byte[] input, StringBuilder how) {
		if (input.length == 0) {
			return input;
		}
		int at = random.nextInt(input.length);
		byte[] mutated;
		switch (random.nextInt(7)) {
			case 0:
				how.append(" flip@").append(at);
				mutated = input.clone();
				mutated[at] ^= (byte) (1 << random.nextInt(8));
				return mutated;
			case 1:
				how.append(" truncate@").append(at);
				return Arrays.copyOf(input, at);
			case 2:
				// a length field replaced: huge, negative, overflowing, or merely wrong
				int marker = indexOfMarker(input, random.nextInt(input.length));
				if (marker < 0) {
					how.append(" no-marker");
					return input;
				}
				int end = marker + 1;
				while (end < input.length && input[end] != '\r') {
					end++;
				}
				String[] numbers = { "2147483647", "2147483648", "2000000000", "536870912", "536870911", "1048576",
						"1048577", "9223372036854775807", "99999999999999999999", "-1", "-2147483648", "-", "", "0",
						"00000000000000000001", "+1", " 1", "1 ", Integer.toString(random.nextInt()) };
				String number = numbers[random.nextInt(numbers.length)];
				how.append(" number@").append(marker).append('=').append(number);
				return concat(Arrays.copyOf(input, marker + 1), ascii(number),
						Arrays.copyOfRange(input, end, input.length));
			case 3:
				byte[] inserted = new byte[1 + random.nextInt(4)];
				random.nextBytes(inserted);
				if (random.nextBoolean()) {
					Arrays.fill(inserted, (byte) "*$\r\n0".charAt(random.nextInt(5)));
				}
				how.append(" insert@").append(at).append('+').append(inserted.length);
				return concat(Arrays.copyOf(input, at), inserted, Arrays.copyOfRange(input, at, input.length));
			case 4:
				int to = Math.min(input.length, at + 1 + random.nextInt(8));
				how.append(" delete@").append(at).append('-').append(to);
				return concat(Arrays.copyOf(input, at), Arrays.copyOfRange(input, to, input.length));
			case 5:
				byte[] special = { '*', '$', '\r', '\n', '-', '0', '9', ' ', 0, (byte) 0xff };
				how.append(" special@").append(at);
				mutated = input.clone();
				mutated[at] = special[random.nextInt(special.length)];
				return mutated;
			default:
				how.append(" byte@").append(at);
				mutated = input.clone();
				mutated[at] = (byte) random.nextInt(256);
				return mutated;
		}
	}

	/** The first '*' or '$' at or after {@code from}, else before it; -1 when there is none. */
	private static int indexOfMarker(byte[] input, int from) {
		for (int i = 0; i < input.length; i++) {
			int at = (from + i) % input.length;
			if (input[at] == '*' || input[at] == '$') {
				return at;
			}
		}
		return -1;
	}

	static byte[] ascii(String text) {
		return text.getBytes(StandardCharsets.ISO_8859_1);
	}

	private static byte[] concat(byte[]... parts) {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		for (byte[] part : parts) {
			out.writeBytes(part);
		}
		return out.toByteArray();
	}

	private static final class Case {

		final String kind;

		final byte[] input;

		/** The commands a read must give: only for valid, unmutated input. */
		final List<List<byte[]>> expected;

		final long maxBulkLength;

		Case(String kind, byte[] input, List<List<byte[]>> expected, long maxBulkLength) {
			this.kind = kind;
			this.input = input;
			this.expected = expected;
			this.maxBulkLength = maxBulkLength;
		}

	}

	static RespReader reader(InputStream in, long maxBulkLength) {
		return RespReader.of(in).maxBulkLength(maxBulkLength).maxRequestSize(Long.MAX_VALUE);
	}

}
