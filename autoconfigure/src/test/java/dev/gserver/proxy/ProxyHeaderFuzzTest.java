package dev.gserver.proxy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.gserver.Fuzz;

/**
 * Property-based tests of {@link ProxyHeader#read}: random bytes, valid headers and mutated valid
 * headers, from a seed that is printed and can be set again with {@code -Dgserver.fuzz.seed=...}
 * (and the number of cases with {@code -Dgserver.fuzz.cases=...}) to replay a failure.
 */
class ProxyHeaderFuzzTest {

	private static final long SEED = Fuzz.seed(ProxyHeaderFuzzTest.class, 0x6773657276657231L);

	private static final int CASES = Fuzz.CASES;

	/** Only a cap for a slow machine: the count is the budget. */
	private static final long MAX_NANOS = TimeUnit.SECONDS.toNanos(3);

	/** Exceptions, messages and a few small arrays; far below a buffer sized by a 65535 length field. */
	private static final long ALLOCATION_LIMIT = 16 * 1024;

	private static final byte[] V1_SIGNATURE = "PROXY ".getBytes(StandardCharsets.US_ASCII);

	private static final byte[] V2_SIGNATURE = ProxyHeaderTest.V2_SIGNATURE;


	@Test
	void onlyProtocolErrorsEscapeAndAHeaderIsConsumedExactly() throws UnknownHostException {
		Random random = new Random(SEED);
		boolean measure = Fuzz.measureAllocation();
		long deadline = System.nanoTime() + MAX_NANOS;
		int[] outcomes = new int[5];
		int run = 0;
		while (run < CASES && System.nanoTime() < deadline) {
			Case generated = generate(random);
			Outcome outcome = check(generated, random.nextInt(64) + 1, run, measure && run > 2000);
			outcomes[outcome.ordinal()]++;
			run++;
		}
		System.out.println("ProxyHeaderFuzzTest ran " + run + " cases: " + Arrays.toString(Outcome.values()) + " "
				+ Arrays.toString(outcomes));
		assertThat(run).as("cases run within the time cap").isGreaterThanOrEqualTo(Math.min(CASES, 1000));
		// the generator must reach every outcome, or the properties are checked on too little
		assertThat(outcomes).as("outcomes reached").doesNotContain(0);
	}

	/** A v2 length field of 65535 and a v1 line without end allocate no more than a short valid header. */
	@Test
	void allocationDoesNotFollowTheLengthField() throws IOException {
		assumeTrue(Fuzz.measureAllocation(), "allocation is not measurable on this JVM");
		byte[] v2 = concat(V2_SIGNATURE, new byte[] { 0x21, 0x21, (byte) 0xff, (byte) 0xff }, new byte[70000]);
		byte[] largest = ProxyHeaderTest.v2(0x21, 0x11,
				concat(new byte[12], ProxyHeaderTest.tlv(0xea, new byte[ProxyHeader.MAX_V2_LENGTH - 12 - 3])));
		for (int i = 0; i < 3000; i++) {
			allocatedReading(new ByteArrayInputStream(v2));
			allocatedReading(new ProxyHeaderTest.EndlessInputStream(V1_SIGNATURE, 'x'));
			allocatedReading(new ByteArrayInputStream(largest));
		}
		assertThat(allocatedReading(new ByteArrayInputStream(v2))).isLessThan(ALLOCATION_LIMIT);
		assertThat(allocatedReading(new ProxyHeaderTest.EndlessInputStream(V1_SIGNATURE, 'x')))
			.isLessThan(ALLOCATION_LIMIT);
		// a valid header of 4 KiB is skipped through a small buffer, not read into one of its size
		assertThat(allocatedReading(new ByteArrayInputStream(largest))).isLessThan(2048);
	}

	/** Returns the bytes allocated by this thread while reading a header from {@code in}. */
	private static long allocatedReading(java.io.InputStream in) {
		long before = Fuzz.allocatedBytes();
		try {
			ProxyHeader.read(in);
		}
		catch (IOException ex) {
			// refused, as it should be: only the allocation is measured here
		}
		return Fuzz.allocatedBytes() - before;
	}

	private enum Outcome {

		PRESENT, ABSENT, MALFORMED_OR_OVERSIZED, UNSUPPORTED, EOF

	}

	/** Parses one case and checks every property; {@code most} bounds the bytes per read. */
	private static Outcome check(Case generated, int most, int run, boolean measure) {
		byte[] input = generated.input;
		ProxyHeaderTest.TrickleInputStream in = new ProxyHeaderTest.TrickleInputStream(input, most);
		long before = measure ? Fuzz.allocatedBytes() : 0;
		ProxyHeader header;
		try {
			header = ProxyHeader.read(in);
		}
		catch (ProxyProtocolException ex) {
			checkAllocation(generated, most, run, measure, before);
			assertThat(ex.getReason()).as(() -> describe(generated, run))
				.isIn(ProxyProtocolException.MALFORMED, ProxyProtocolException.OVERSIZED,
						ProxyProtocolException.UNSUPPORTED);
			assertThat(ex.getMessage()).as(() -> describe(generated, run)).hasSizeLessThan(200).doesNotContain("\r", "\n");
			assertThat(generated.expected).as(() -> describe(generated, run) + " is valid, yet refused: " + ex).isNull();
			checkNotReadPastHeader(input, in.position(), generated, run);
			return ex.getReason().equals(ProxyProtocolException.UNSUPPORTED) ? Outcome.UNSUPPORTED
					: Outcome.MALFORMED_OR_OVERSIZED;
		}
		catch (EOFException ex) {
			assertThat(in.position()).as(() -> describe(generated, run) + ": EOF before the end of the input")
				.isEqualTo(input.length);
			assertThat(generated.expected).as(() -> describe(generated, run) + " is valid, yet EOF").isNull();
			return Outcome.EOF;
		}
		catch (Throwable ex) {
			throw new AssertionError(describe(generated, run) + " threw " + ex, ex);
		}
		checkAllocation(generated, most, run, measure, before);
		int read = in.position();
		if (!header.isPresent()) {
			byte[] consumed = Arrays.copyOf(input, read);
			assertThat(header.getConsumed()).as(() -> describe(generated, run)).isEqualTo(consumed);
			assertThat(read).as(() -> describe(generated, run)).isLessThanOrEqualTo(12);
			assertThat(read == 0).as(() -> describe(generated, run)).isEqualTo(input.length == 0);
			if (read > 0) {
				// every byte but the last was still a signature's; the last ruled both out, unless the input ended
				assertThat(isSignaturePrefix(Arrays.copyOf(consumed, read - 1))).as(() -> describe(generated, run)).isTrue();
				assertThat(isSignaturePrefix(consumed) && read < input.length).as(() -> describe(generated, run)).isFalse();
			}
			assertThat(generated.expected).as(() -> describe(generated, run) + " is valid, yet absent").isNull();
			return Outcome.ABSENT;
		}
		assertThat(header.getConsumed()).isEmpty();
		assertThat(header.isLocal()).isEqualTo(header.getSourceAddress() == null);
		assertThat(header.getDestinationAddress() == null).isEqualTo(header.getSourceAddress() == null);
		assertThat(read).as(() -> describe(generated, run) + ": bytes read").isEqualTo(headerLength(input));
		if (generated.expected != null) {
			assertThat(header.getVersion()).as(() -> describe(generated, run)).isEqualTo(generated.expected.version);
			assertThat(header.isLocal()).as(() -> describe(generated, run)).isEqualTo(generated.expected.source == null);
			assertThat(header.getSourceAddress()).as(() -> describe(generated, run)).isEqualTo(generated.expected.source);
			assertThat(header.getDestinationAddress()).as(() -> describe(generated, run))
				.isEqualTo(generated.expected.destination);
			assertThat(read).as(() -> describe(generated, run)).isEqualTo(generated.expected.length);
		}
		assertThat(header.toString()).startsWith("ProxyHeader[v" + header.getVersion());
		return Outcome.PRESENT;
	}

	/**
	 * Allocation beyond the limit may be a first run's class loading (a message's string
	 * concatenation is linked when first used): it fails only if the same input does it again.
	 */
	private static void checkAllocation(Case generated, int most, int run, boolean measure, long before) {
		if (!measure) {
			return;
		}
		long allocated = Fuzz.allocatedBytes() - before;
		if (allocated > ALLOCATION_LIMIT) {
			long again = allocatedReading(new ProxyHeaderTest.TrickleInputStream(generated.input, most));
			assertThat(again).as(() -> describe(generated, run) + ": bytes allocated").isLessThan(ALLOCATION_LIMIT);
		}
	}

	/** A refused header was read no further than the end its own signature and length (or CRLF) give. */
	private static void checkNotReadPastHeader(byte[] input, int read, Case generated, int run) {
		if (startsWith(input, V2_SIGNATURE)) {
			int bound = (input.length >= 16)
					? 16 + Math.min(((input[14] & 0xff) << 8) | (input[15] & 0xff), ProxyHeader.MAX_V2_LENGTH) : 16;
			assertThat(read).as(() -> describe(generated, run)).isLessThanOrEqualTo(bound);
		}
		else {
			assertThat(startsWith(input, V1_SIGNATURE)).as(() -> describe(generated, run)).isTrue();
			assertThat(read).as(() -> describe(generated, run)).isLessThanOrEqualTo(ProxyHeader.MAX_V1_LENGTH);
			int lineFeed = indexOf(input, (byte) '\n');
			if (lineFeed >= 0) {
				assertThat(read).as(() -> describe(generated, run)).isLessThanOrEqualTo(lineFeed + 1);
			}
			int carriageReturn = indexOf(input, (byte) '\r');
			if (carriageReturn >= 0) {
				assertThat(read).as(() -> describe(generated, run)).isLessThanOrEqualTo(carriageReturn + 2);
			}
		}
	}

	/** The length of the header at the start of {@code input}, by the specification, independently of the parser. */
	private static int headerLength(byte[] input) {
		if (startsWith(input, V2_SIGNATURE)) {
			return 16 + (((input[14] & 0xff) << 8) | (input[15] & 0xff));
		}
		assertThat(startsWith(input, V1_SIGNATURE)).isTrue();
		int carriageReturn = indexOf(input, (byte) '\r');
		assertThat(input[carriageReturn + 1]).isEqualTo((byte) '\n');
		return carriageReturn + 2;
	}

	private static boolean isSignaturePrefix(byte[] bytes) {
		return isPrefix(bytes, V1_SIGNATURE) || isPrefix(bytes, V2_SIGNATURE);
	}

	private static boolean isPrefix(byte[] bytes, byte[] signature) {
		return bytes.length <= signature.length && startsWith(signature, bytes);
	}

	private static boolean startsWith(byte[] bytes, byte[] prefix) {
		return bytes.length >= prefix.length && Arrays.equals(bytes, 0, prefix.length, prefix, 0, prefix.length);
	}

	private static int indexOf(byte[] bytes, byte b) {
		for (int i = 0; i < bytes.length; i++) {
			if (bytes[i] == b) {
				return i;
			}
		}
		return -1;
	}

	private static String describe(Case generated, int run) {
		return "case " + run + " (seed " + SEED + ", " + generated.kind + ") input "
				+ hex(generated.input, Math.min(generated.input.length, 160));
	}

	private static String hex(byte[] bytes, int length) {
		StringBuilder text = new StringBuilder();
		for (int i = 0; i < length; i++) {
			text.append(ProxyProtocolException.hex(bytes[i] & 0xff));
		}
		return text + ((length < bytes.length) ? "... (" + bytes.length + " bytes)" : "");
	}

	// generators

	private static Case generate(Random random) throws UnknownHostException {
		int kind = random.nextInt(10);
		if (kind < 2) {
			return new Case("random bytes", randomBytes(random), null);
		}
		Valid valid = (random.nextBoolean()) ? validV1(random) : validV2(random);
		byte[] trailer = trailer(random);
		if (kind < 5) {
			return new Case("valid", concat(valid.header, trailer), valid.expected);
		}
		byte[] mutated = concat(valid.header, trailer);
		StringBuilder how = new StringBuilder("mutated:");
		for (int i = random.nextInt(3); i >= 0; i--) {
			mutated = mutate(random, mutated, how);
		}
		return new Case(how.toString(), mutated, null);
	}

	/** Random bytes, often after a whole or partial signature, so that the parser gets past it. */
	private static byte[] randomBytes(Random random) {
		byte[] bytes = new byte[random.nextInt(random.nextBoolean() ? 16 : 300)];
		random.nextBytes(bytes);
		switch (random.nextInt(4)) {
			case 0:
				return concat(Arrays.copyOf(V1_SIGNATURE, random.nextInt(V1_SIGNATURE.length + 1)), bytes);
			case 1:
				return concat(Arrays.copyOf(V2_SIGNATURE, random.nextInt(V2_SIGNATURE.length + 1)), bytes);
			default:
				return bytes;
		}
	}

	private static byte[] trailer(Random random) {
		switch (random.nextInt(3)) {
			case 0:
				return new byte[0];
			case 1:
				return "*1\r\n$4\r\nPING\r\n".getBytes(StandardCharsets.US_ASCII);
			default:
				byte[] bytes = new byte[random.nextInt(20)];
				random.nextBytes(bytes);
				return bytes;
		}
	}

	private static Valid validV1(Random random) throws UnknownHostException {
		int protocol = random.nextInt(3);
		if (protocol == 2) {
			StringBuilder line = new StringBuilder("PROXY UNKNOWN");
			if (random.nextBoolean()) {
				line.append(' ');
				for (int i = random.nextInt(ProxyHeader.MAX_V1_LENGTH - line.length() - 2); i > 0; i--) {
					line.append((char) (0x20 + random.nextInt(0x5f)));
				}
			}
			byte[] header = (line + "\r\n").getBytes(StandardCharsets.US_ASCII);
			return new Valid(header, new Expected(1, null, null, header.length));
		}
		boolean ipv6 = protocol == 1;
		byte[] source = randomAddress(random, ipv6);
		byte[] destination = randomAddress(random, ipv6);
		int sourcePort = randomPort(random);
		int destinationPort = randomPort(random);
		String line = "PROXY " + (ipv6 ? "TCP6 " : "TCP4 ") + literal(random, source) + " " + literal(random, destination)
				+ " " + sourcePort + " " + destinationPort + "\r\n";
		byte[] header = line.getBytes(StandardCharsets.US_ASCII);
		return new Valid(header, new Expected(1, socketAddress(source, sourcePort),
				socketAddress(destination, destinationPort), header.length));
	}

	private static Valid validV2(Random random) throws UnknownHostException {
		if (random.nextInt(5) == 0) {
			// LOCAL, with whatever family and block: both are ignored
			byte[] block = new byte[random.nextInt(40)];
			random.nextBytes(block);
			byte[] header = ProxyHeaderTest.v2(0x20, random.nextInt(256), block);
			return new Valid(header, new Expected(2, null, null, header.length));
		}
		int[] families = { 0x00, 0x11, 0x12, 0x21, 0x22, 0x31, 0x32 };
		int family = families[random.nextInt(families.length)];
		ByteArrayOutputStream body = new ByteArrayOutputStream();
		InetSocketAddress source = null;
		InetSocketAddress destination = null;
		if ((family >> 4) == 1 || (family >> 4) == 2) {
			boolean ipv6 = (family >> 4) == 2;
			byte[] sourceBytes = randomAddress(random, ipv6);
			byte[] destinationBytes = randomAddress(random, ipv6);
			int sourcePort = randomPort(random);
			int destinationPort = randomPort(random);
			body.writeBytes(sourceBytes);
			body.writeBytes(destinationBytes);
			body.writeBytes(new byte[] { (byte) (sourcePort >> 8), (byte) sourcePort, (byte) (destinationPort >> 8),
					(byte) destinationPort });
			source = socketAddress(sourceBytes, sourcePort);
			destination = socketAddress(destinationBytes, destinationPort);
		}
		else if ((family >> 4) == 3) {
			byte[] paths = new byte[216];
			random.nextBytes(paths);
			body.writeBytes(paths);
		}
		// TLVs, now and then a large one, never past the length allowed
		for (int tlvs = random.nextInt(4); tlvs > 0; tlvs--) {
			int room = ProxyHeader.MAX_V2_LENGTH - body.size() - 3;
			if (room < 0) {
				break;
			}
			byte[] value = new byte[Math.min(room, random.nextInt(random.nextInt(8) == 0 ? 4000 : 40))];
			random.nextBytes(value);
			body.writeBytes(ProxyHeaderTest.tlv(random.nextInt(256), value));
		}
		byte[] header = ProxyHeaderTest.v2(0x21, family, body.toByteArray());
		return new Valid(header, new Expected(2, source, destination, header.length));
	}

	private static byte[] randomAddress(Random random, boolean ipv6) {
		byte[] address = new byte[ipv6 ? 16 : 4];
		random.nextBytes(address);
		if (ipv6) {
			switch (random.nextInt(4)) {
				case 0:
					// zero runs, written with "::"
					Arrays.fill(address, random.nextInt(8), random.nextInt(8) + 8, (byte) 0);
					break;
				case 1:
					// IPv4-mapped
					Arrays.fill(address, 0, 10, (byte) 0);
					address[10] = (byte) 0xff;
					address[11] = (byte) 0xff;
					break;
				default:
			}
		}
		return address;
	}

	private static int randomPort(Random random) {
		return random.nextBoolean() ? random.nextInt(65536) : new int[] { 0, 1, 80, 65535 }[random.nextInt(4)];
	}

	/** An address as a proxy might write it: Java's full form, or the compressed one. */
	private static String literal(Random random, byte[] address) throws UnknownHostException {
		if (address.length == 4) {
			return InetAddress.getByAddress(address).getHostAddress();
		}
		return random.nextBoolean() ? Inet6Address.getByAddress(null, address, -1).getHostAddress()
				: IpLiterals.format(address);
	}

	private static InetSocketAddress socketAddress(byte[] address, int port) throws UnknownHostException {
		return new InetSocketAddress(InetAddress.getByAddress(address), port);
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
				if (startsWith(input, V2_SIGNATURE) && input.length >= 16) {
					int[] lengths = { 0, 1, 11, 12, 35, 36, 215, 216, ProxyHeader.MAX_V2_LENGTH,
							ProxyHeader.MAX_V2_LENGTH + 1, 65535, random.nextInt(65536),
							(((input[14] & 0xff) << 8) | (input[15] & 0xff)) + random.nextInt(9) - 4 };
					int length = lengths[random.nextInt(lengths.length)] & 0xffff;
					how.append(" length=").append(length);
					mutated = input.clone();
					mutated[14] = (byte) (length >> 8);
					mutated[15] = (byte) length;
					return mutated;
				}
				// a v1 line: a byte the grammar cares about
				byte[] special = { ' ', '\r', '\n', '0', '9', ':', '.', '-', '+', 'f', 0, (byte) 0xff };
				how.append(" special@").append(at);
				mutated = input.clone();
				mutated[at] = special[random.nextInt(special.length)];
				return mutated;
			case 3:
				byte[] inserted = new byte[1 + random.nextInt(random.nextInt(10) == 0 ? 200 : 4)];
				random.nextBytes(inserted);
				if (random.nextBoolean()) {
					Arrays.fill(inserted, (byte) "0 :.\r".charAt(random.nextInt(5)));
				}
				how.append(" insert@").append(at).append('+').append(inserted.length);
				return concat(Arrays.copyOf(input, at), inserted, Arrays.copyOfRange(input, at, input.length));
			case 4:
				int end = Math.min(input.length, at + 1 + random.nextInt(8));
				how.append(" delete@").append(at).append('-').append(end);
				return concat(Arrays.copyOf(input, at), Arrays.copyOfRange(input, end, input.length));
			case 5:
				how.append(" byte@").append(at);
				mutated = input.clone();
				mutated[at] = (byte) random.nextInt(256);
				return mutated;
			default:
				// a field duplicated: "1.2.3.4 1.2.3.4", a TLV twice
				int from = random.nextInt(input.length);
				int to = Math.min(input.length, from + 1 + random.nextInt(16));
				how.append(" duplicate@").append(from).append('-').append(to);
				return concat(Arrays.copyOf(input, to), Arrays.copyOfRange(input, from, input.length));
		}
	}

	private static byte[] concat(byte[]... parts) {
		return ProxyHeaderTest.concat(parts);
	}

	private static final class Case {

		final String kind;

		final byte[] input;

		/** What a parse must give: only for a valid, unmutated header. */
		final Expected expected;

		Case(String kind, byte[] input, Expected expected) {
			this.kind = kind;
			this.input = input;
			this.expected = expected;
		}

	}

	private static final class Valid {

		final byte[] header;

		final Expected expected;

		Valid(byte[] header, Expected expected) {
			this.header = header;
			this.expected = expected;
		}

	}

	private static final class Expected {

		final int version;

		final InetSocketAddress source;

		final InetSocketAddress destination;

		final int length;

		Expected(int version, InetSocketAddress source, InetSocketAddress destination, int length) {
			this.version = version;
			this.source = source;
			this.destination = destination;
			this.length = length;
		}

	}

}
