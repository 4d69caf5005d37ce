package dev.gserver.proxy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

public class ProxyHeaderTest {

	static final byte[] V2_SIGNATURE = { '\r', '\n', '\r', '\n', 0, '\r', '\n', 'Q', 'U', 'I', 'T', '\n' };

	private static final String DATA = "*1\r\n$4\r\nPING\r\n";

	// version 1

	@Test
	void readsV1Tcp4AndLeavesWhatFollows() throws IOException {
		Parsed parsed = parse("PROXY TCP4 192.0.2.1 198.51.100.2 56324 443\r\n" + DATA);
		assertTcp4Example(parsed, 1);
	}

	@Test
	void readsV1Tcp6() throws IOException {
		Parsed parsed = parse("PROXY TCP6 2001:db8::1 ::1 0 65535\r\n" + DATA);
		assertThat(parsed.header.getVersion()).isEqualTo(1);
		assertThat(parsed.header.getSourceAddress()).isEqualTo(address("2001:db8::1", 0));
		assertThat(parsed.header.getDestinationAddress()).isEqualTo(address("::1", 65535));
		assertThat(parsed.rest()).isEqualTo(DATA);
		assertThat(parsed.header).hasToString("ProxyHeader[v1 TCP6 [2001:db8::1]:0 -> [::1]:65535]");
	}

	@Test
	void readsV1Tcp6IPv4MappedAddressAsIPv4AsASocketWould() throws IOException {
		Parsed parsed = parse("PROXY TCP6 ::ffff:192.0.2.1 0:0:0:0:0:0:0:1 1 2\r\n");
		assertThat(parsed.header.getSourceAddress().getAddress()).isInstanceOf(Inet4Address.class);
		assertThat(parsed.header.getSourceAddress()).isEqualTo(address("192.0.2.1", 1));
		assertThat(parsed.header.getDestinationAddress()).isEqualTo(address("::1", 2));
	}

	@Test
	void readsTheLongestV1LinesTheSpecificationAllows() throws IOException {
		String ffff = "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff";
		String unknown = "PROXY UNKNOWN " + ffff + " " + ffff + " 65535 65535\r\n";
		assertThat(unknown).hasSize(ProxyHeader.MAX_V1_LENGTH);
		Parsed parsed = parse(unknown + DATA);
		assertThat(parsed.header.isLocal()).isTrue();
		assertThat(parsed.rest()).isEqualTo(DATA);
		parsed = parse("PROXY TCP6 " + ffff + " " + ffff + " 65535 65535\r\n" + DATA);
		assertThat(parsed.header.getSourceAddress().getPort()).isEqualTo(65535);
		assertThat(parsed.rest()).isEqualTo(DATA);
	}

	@ParameterizedTest
	@ValueSource(strings = { "PROXY UNKNOWN\r\n", "PROXY UNKNOWN 192.0.2.1 198.51.100.2 56324 443\r\n",
			"PROXY UNKNOWN anything  at all\tis ignored\r\n" })
	void readsV1UnknownAsLocal(String line) throws IOException {
		Parsed parsed = parse(line + DATA);
		assertThat(parsed.header.isPresent()).isTrue();
		assertThat(parsed.header.getVersion()).isEqualTo(1);
		assertThat(parsed.header.isLocal()).isTrue();
		assertThat(parsed.header.getSourceAddress()).isNull();
		assertThat(parsed.header.getDestinationAddress()).isNull();
		assertThat(parsed.rest()).isEqualTo(DATA);
		assertThat(parsed.header).hasToString("ProxyHeader[v1 UNKNOWN]");
	}

	@ParameterizedTest
	@ValueSource(strings = { "PROXY TCP4  192.0.2.1 198.51.100.2 1 2\r\n", "PROXY TCP4 192.0.2.1 198.51.100.2 1 2 \r\n",
			"PROXY TCP4 192.0.2.1 198.51.100.2 1\r\n", "PROXY TCP4 192.0.2.1 198.51.100.2 1 2 3\r\n",
			"PROXY TCP4\r\n", "PROXY \r\n", "PROXY  TCP4 192.0.2.1 198.51.100.2 1 2\r\n",
			"PROXY TCP4\t192.0.2.1 198.51.100.2 1 2\r\n", "PROXY TCP5 192.0.2.1 198.51.100.2 1 2\r\n",
			"PROXY tcp4 192.0.2.1 198.51.100.2 1 2\r\n", "PROXY UNKNOWNX\r\n", "PROXY UDP4 192.0.2.1 198.51.100.2 1 2\r\n",
			// addresses
			"PROXY TCP4 256.0.0.1 198.51.100.2 1 2\r\n", "PROXY TCP4 192.0.2 198.51.100.2 1 2\r\n",
			"PROXY TCP4 192.0.2.1.5 198.51.100.2 1 2\r\n", "PROXY TCP4 192.0.2.01 198.51.100.2 1 2\r\n",
			"PROXY TCP4 192.0.2.1 198.51.100. 1 2\r\n", "PROXY TCP4 ::1 ::1 1 2\r\n",
			"PROXY TCP4 ::ffff:192.0.2.1 198.51.100.2 1 2\r\n", "PROXY TCP6 192.0.2.1 198.51.100.2 1 2\r\n",
			"PROXY TCP6 ::1::2 ::1 1 2\r\n", "PROXY TCP6 1:2:3:4:5:6:7:8:9 ::1 1 2\r\n", "PROXY TCP6 12345:: ::1 1 2\r\n",
			"PROXY TCP6 fe80::1%eth0 ::1 1 2\r\n", "PROXY TCP6 [::1] ::1 1 2\r\n", "PROXY TCP6 ::1: ::1 1 2\r\n",
			"PROXY TCP6 :1:: ::1 1 2\r\n", "PROXY TCP6 ::g ::1 1 2\r\n", "PROXY TCP6 1.2.3.4:: ::1 1 2\r\n",
			// forms that InetAddress.getByName would take, some of them after a DNS lookup
			"PROXY TCP4 localhost 127.0.0.1 1 2\r\n", "PROXY TCP6 localhost ::1 1 2\r\n",
			"PROXY TCP4 127.1 127.0.0.1 1 2\r\n", "PROXY TCP4 2130706433 127.0.0.1 1 2\r\n",
			"PROXY TCP4 0x7f.0.0.1 127.0.0.1 1 2\r\n", "PROXY TCP4 gserver.invalid 127.0.0.1 1 2\r\n",
			// ports
			"PROXY TCP4 192.0.2.1 198.51.100.2 65536 2\r\n", "PROXY TCP4 192.0.2.1 198.51.100.2 1 -1\r\n",
			"PROXY TCP4 192.0.2.1 198.51.100.2 +80 2\r\n", "PROXY TCP4 192.0.2.1 198.51.100.2 080 2\r\n",
			"PROXY TCP4 192.0.2.1 198.51.100.2 1a 2\r\n", "PROXY TCP4 192.0.2.1 198.51.100.2 1 999999\r\n",
			"PROXY TCP4 192.0.2.1 198.51.100.2 1 0x50\r\n",
			// line ends
			"PROXY TCP4 192.0.2.1 198.51.100.2 1 2\n", "PROXY TCP4 192.0.2.1 198.51.100.2 1 2\rX\n",
			"PROXY TCP4 192.0.2.1\r198.51.100.2 1 2\r\n", "PROXY UNKNOWN \n\r\n", "PROXY \u0000\r\n" })
	void rejectsMalformedV1(String line) {
		ProxyProtocolException failure = catchThrowableOfType(() -> parse(line + DATA), ProxyProtocolException.class);
		assertThat(failure).as(line).isNotNull();
		assertThat(failure.getReason()).isEqualTo(ProxyProtocolException.MALFORMED);
		assertThat(failure.getMessage()).startsWith("PROXY protocol v1 header");
	}

	@Test
	void rejectsV1LongerThan107BytesWithoutReadingOn() {
		String line = "PROXY UNKNOWN " + "x".repeat(ProxyHeader.MAX_V1_LENGTH - 16 + 1) + "\r\n";
		assertThat(line).hasSize(ProxyHeader.MAX_V1_LENGTH + 1);
		ByteArrayInputStream in = stream(line + DATA);
		ProxyProtocolException failure = catchThrowableOfType(() -> ProxyHeader.read(in), ProxyProtocolException.class);
		assertThat(failure.getReason()).isEqualTo(ProxyProtocolException.OVERSIZED);
		assertThat(failure.getMessage()).isEqualTo("PROXY protocol v1 header is longer than 107 bytes");
		assertThat(line.length() + DATA.length() - in.available()).isLessThanOrEqualTo(ProxyHeader.MAX_V1_LENGTH);
	}

	@Test
	void rejectsV1LineThatNeverEndsAfterAtMost107Bytes() {
		EndlessInputStream in = new EndlessInputStream("PROXY TCP4 ".getBytes(StandardCharsets.US_ASCII), '1');
		ProxyProtocolException failure = catchThrowableOfType(() -> ProxyHeader.read(in), ProxyProtocolException.class);
		assertThat(failure.getReason()).isEqualTo(ProxyProtocolException.OVERSIZED);
		assertThat(in.position).isLessThanOrEqualTo(ProxyHeader.MAX_V1_LENGTH);
	}

	@Test
	void quotesAtMostAFewOfThePeersBytes() {
		String address = "A".repeat(40) + "\u001b[2J";
		ProxyProtocolException failure = catchThrowableOfType(
				() -> parse("PROXY TCP4 " + address + " 127.0.0.1 1 2\r\n"), ProxyProtocolException.class);
		assertThat(failure.getMessage()).contains("'" + "A".repeat(16) + "'...")
			.doesNotContain("A".repeat(17))
			.doesNotContain("\u001b");
		failure = catchThrowableOfType(() -> parse("PROXY TCP4 1.2.3.4\u001b 127.0.0.1 1 2\r\n"),
				ProxyProtocolException.class);
		assertThat(failure.getMessage()).contains("'1.2.3.4\\x1b'").doesNotContain("\u001b");
	}

	@ParameterizedTest
	@ValueSource(strings = { "PROXY ", "PROXY TCP4", "PROXY TCP4 192.0.2.1 198.51.100.2 1 2", "PROXY TCP4 192.0.2.1 1 2\r" })
	void endOfStreamInsideV1IsEof(String truncated) {
		assertThatExceptionOfType(EOFException.class).isThrownBy(() -> parse(truncated));
	}

	// version 2

	@Test
	void readsV2Tcp4AndLeavesWhatFollows() throws IOException {
		byte[] addresses = concat(bytes(192, 0, 2, 1), bytes(198, 51, 100, 2), bytes(0xdc, 0x04), bytes(0x01, 0xbb));
		Parsed parsed = parse(concat(v2(0x21, 0x11, addresses), ascii(DATA)));
		assertTcp4Example(parsed, 2);
	}

	@Test
	void readsV2Tcp6() throws IOException {
		byte[] source = InetAddress.getByName("2001:db8::1").getAddress();
		byte[] destination = InetAddress.getByName("::1").getAddress();
		Parsed parsed = parse(concat(v2(0x21, 0x21, concat(source, destination, bytes(0, 80), bytes(0xff, 0xff))),
				ascii(DATA)));
		assertThat(parsed.header.getSourceAddress()).isEqualTo(address("2001:db8::1", 80));
		assertThat(parsed.header.getDestinationAddress()).isEqualTo(address("::1", 65535));
		assertThat(parsed.rest()).isEqualTo(DATA);
		assertThat(parsed.header).hasToString("ProxyHeader[v2 TCP6 [2001:db8::1]:80 -> [::1]:65535]");
	}

	@Test
	void readsV2UdpAddresses() throws IOException {
		Parsed parsed = parse(v2(0x21, 0x12, concat(bytes(10, 0, 0, 1), bytes(10, 0, 0, 2), bytes(0, 53), bytes(0, 54))));
		assertThat(parsed.header.getSourceAddress()).isEqualTo(address("10.0.0.1", 53));
		assertThat(parsed.header).hasToString("ProxyHeader[v2 UDP4 10.0.0.1:53 -> 10.0.0.2:54]");
		byte[] ipv6 = new byte[36];
		ipv6[15] = 1;
		ipv6[31] = 2;
		parsed = parse(v2(0x21, 0x22, ipv6));
		assertThat(parsed.header.getSourceAddress()).isEqualTo(address("::1", 0));
		assertThat(parsed.header.getDestinationAddress()).isEqualTo(address("::2", 0));
	}

	@Test
	void readsV2LocalAsLocalWhateverItsFamily() throws IOException {
		Parsed parsed = parse(concat(v2(0x20, 0x00, new byte[0]), ascii(DATA)));
		assertThat(parsed.header.getVersion()).isEqualTo(2);
		assertThat(parsed.header.isLocal()).isTrue();
		assertThat(parsed.header.getSourceAddress()).isNull();
		assertThat(parsed.header.getDestinationAddress()).isNull();
		assertThat(parsed.rest()).isEqualTo(DATA);
		assertThat(parsed.header).hasToString("ProxyHeader[v2 LOCAL]");
		// the specification: with LOCAL, the receiver must discard the block, family included
		parsed = parse(concat(v2(0x20, 0x11, bytes(1, 2, 3)), ascii(DATA)));
		assertThat(parsed.header.isLocal()).isTrue();
		assertThat(parsed.rest()).isEqualTo(DATA);
		parsed = parse(concat(v2(0x20, 0x77, new byte[300]), ascii(DATA)));
		assertThat(parsed.header.isLocal()).isTrue();
		assertThat(parsed.rest()).isEqualTo(DATA);
	}

	@Test
	void readsV2UnspecAsLocal() throws IOException {
		Parsed parsed = parse(concat(v2(0x21, 0x00, bytes(0x04, 0x00, 0x01, 0x00)), ascii(DATA)));
		assertThat(parsed.header.isLocal()).isTrue();
		assertThat(parsed.header.getSourceAddress()).isNull();
		assertThat(parsed.rest()).isEqualTo(DATA);
		assertThat(parsed.header).hasToString("ProxyHeader[v2 UNSPEC]");
	}

	@ParameterizedTest
	@ValueSource(ints = { 0x31, 0x32 })
	void readsV2UnixAsLocal(int family) throws IOException {
		byte[] paths = new byte[216];
		System.arraycopy(ascii("/run/client.sock"), 0, paths, 0, 16);
		System.arraycopy(ascii("/run/server.sock"), 0, paths, 108, 16);
		Parsed parsed = parse(concat(v2(0x21, family, concat(paths, tlv(0x04, new byte[0]))), ascii(DATA)));
		assertThat(parsed.header.isLocal()).isTrue();
		assertThat(parsed.header.getSourceAddress()).isNull();
		assertThat(parsed.rest()).isEqualTo(DATA);
		assertThat(parsed.header).hasToString("ProxyHeader[v2 UNIX]");
	}

	@Test
	void skipsV2Tlvs() throws IOException {
		byte[] tlvs = concat(tlv(0x01, ascii("h2")), tlv(0x02, ascii("example.com")), tlv(0x04, new byte[0]),
				tlv(0x20, concat(bytes(0x07, 0, 0, 0, 0), tlv(0x21, ascii("TLSv1.3")))), tlv(0xea, new byte[200]));
		byte[] addresses = concat(bytes(192, 0, 2, 1), bytes(198, 51, 100, 2), bytes(0, 1), bytes(0, 2));
		Parsed parsed = parse(concat(v2(0x21, 0x11, concat(addresses, tlvs)), ascii(DATA)));
		assertThat(parsed.header.getSourceAddress()).isEqualTo(address("192.0.2.1", 1));
		assertThat(parsed.rest()).isEqualTo(DATA);
	}

	@Test
	void readsV2OfTheLargestLengthAllowedInSmallReads() throws IOException {
		byte[] addresses = concat(bytes(192, 0, 2, 1), bytes(198, 51, 100, 2), bytes(0, 1), bytes(0, 2));
		byte[] tlv = tlv(0xea, new byte[ProxyHeader.MAX_V2_LENGTH - addresses.length - 3]);
		byte[] header = v2(0x21, 0x11, concat(addresses, tlv));
		assertThat(header).hasSize(4096);
		TrickleInputStream in = new TrickleInputStream(concat(header, ascii(DATA)), 7);
		ProxyHeader parsed = ProxyHeader.read(in);
		assertThat(parsed.getDestinationAddress()).isEqualTo(address("198.51.100.2", 2));
		assertThat(new String(in.readAllBytes(), StandardCharsets.ISO_8859_1)).isEqualTo(DATA);
	}

	@ParameterizedTest
	@ValueSource(ints = { ProxyHeader.MAX_V2_LENGTH + 1, 65535 })
	void rejectsV2LongerThanAllowedWithoutReadingIt(int length) {
		byte[] prefix = concat(V2_SIGNATURE, bytes(0x21, 0x11, length >> 8, length & 0xff));
		ByteArrayInputStream in = new ByteArrayInputStream(concat(prefix, new byte[70000]));
		ProxyProtocolException failure = catchThrowableOfType(() -> ProxyHeader.read(in), ProxyProtocolException.class);
		assertThat(failure.getReason()).isEqualTo(ProxyProtocolException.OVERSIZED);
		assertThat(failure.getMessage()).contains(Integer.toString(length));
		assertThat(in.available()).isEqualTo(70000);
	}

	@ParameterizedTest
	@ValueSource(ints = { 0x01, 0x11, 0x31, 0xf1, 0x22, 0x2f, 0x00, 0x10 })
	void rejectsV2OfAnotherVersionOrCommand(int versionAndCommand) {
		ProxyProtocolException failure = catchThrowableOfType(
				() -> parse(v2(versionAndCommand, 0x11, new byte[12])), ProxyProtocolException.class);
		assertThat(failure.getReason()).isEqualTo(ProxyProtocolException.MALFORMED);
		assertThat(failure.getMessage()).startsWith("PROXY protocol v2 header has");
	}

	@ParameterizedTest
	@ValueSource(ints = { 0x01, 0x10, 0x13, 0x20, 0x23, 0x30, 0x33, 0x41, 0xff })
	void rejectsV2OfAnUnsupportedFamily(int family) {
		ProxyProtocolException failure = catchThrowableOfType(() -> parse(v2(0x21, family, new byte[216])),
				ProxyProtocolException.class);
		assertThat(failure.getReason()).isEqualTo(ProxyProtocolException.UNSUPPORTED);
		assertThat(failure.getMessage()).endsWith("0x" + ProxyProtocolException.hex(family));
	}

	@ParameterizedTest
	@ValueSource(strings = { "17:11", "17:0", "33:35", "33:12", "34:0", "18:11", "49:215", "50:0" })
	void rejectsV2TooShortForItsAddresses(String familyAndLength) {
		String[] parts = familyAndLength.split(":");
		int length = Integer.parseInt(parts[1]);
		ProxyProtocolException failure = catchThrowableOfType(
				() -> parse(concat(v2(0x21, Integer.parseInt(parts[0]), new byte[length]), new byte[300])),
				ProxyProtocolException.class);
		assertThat(failure.getReason()).isEqualTo(ProxyProtocolException.MALFORMED);
		assertThat(failure.getMessage()).contains("length " + length + " is less than");
	}

	@ParameterizedTest
	@ValueSource(ints = { 13, 14, 15, 16, 17, 20, 28, 29, 40 })
	void endOfStreamInsideV2IsEof(int length) {
		byte[] header = v2(0x21, 0x11, concat(new byte[12], tlv(0x04, new byte[9])));
		assertThat(header).hasSize(40);
		assertThatExceptionOfType(EOFException.class)
			.isThrownBy(() -> parse(Arrays.copyOf(header, length - 1)))
			.withMessage("Connection closed inside a PROXY protocol header");
	}

	// no header

	@Test
	void noHeaderKeepsTheFirstByteForTheApplication() throws IOException {
		Parsed parsed = parse(DATA);
		assertThat(parsed.header.isPresent()).isFalse();
		assertThat(parsed.header.getVersion()).isZero();
		assertThat(parsed.header.isLocal()).isFalse();
		assertThat(parsed.header.getSourceAddress()).isNull();
		assertThat(parsed.header.getDestinationAddress()).isNull();
		assertThat(parsed.header.getConsumed()).containsExactly('*');
		assertThat(parsed.rest()).isEqualTo(DATA.substring(1));
		assertThat(parsed.header).hasToString("ProxyHeader[absent, 1 byte(s) read]");
	}

	@ParameterizedTest
	@ValueSource(strings = { "PING\r\n:PI", "PROXZ TCP4\r\n:PROXZ", "PROXYTCP4:PROXYT", "proxy :p", "GET / HTTP/1.1\r\n:G",
			"\r\nPING\r\n:\r\nP", "\r\n\r\n\u0000\r\nQUIT \n:\r\n\r\n\u0000\r\nQUIT ", "\r\n\r\n\u0000\r\nQUIX:\r\n\r\n\u0000\r\nQUIX",
			"\r\r:\r\r", "\u0000:\u0000" })
	void noHeaderKeepsTheBytesThatRuledOutASignature(String inputAndConsumed) throws IOException {
		int colon = inputAndConsumed.lastIndexOf(':');
		String input = inputAndConsumed.substring(0, colon);
		String consumed = inputAndConsumed.substring(colon + 1);
		Parsed parsed = parse(input);
		assertThat(parsed.header.isPresent()).isFalse();
		assertThat(new String(parsed.header.getConsumed(), StandardCharsets.ISO_8859_1)).isEqualTo(consumed);
		assertThat(parsed.rest()).isEqualTo(input.substring(consumed.length()));
	}

	@Test
	void noHeaderReadsNoFurtherThanTheByteThatRuledItOut() throws IOException {
		// a client that is not a proxy, waiting for an answer: one more read would block
		StingyInputStream in = new StingyInputStream(ascii("PRO\r\n"));
		ProxyHeader header = ProxyHeader.read(in);
		assertThat(header.getConsumed()).containsExactly('P', 'R', 'O', '\r');
		assertThat(in.read()).isEqualTo('\n');
	}

	@ParameterizedTest
	@ValueSource(strings = { "", "P", "PROX", "\r\n\r\n\u0000\r\nQUIT" })
	void endOfStreamBeforeASignatureIsCompleteIsNoHeader(String input) throws IOException {
		Parsed parsed = parse(input);
		assertThat(parsed.header.isPresent()).isFalse();
		assertThat(new String(parsed.header.getConsumed(), StandardCharsets.ISO_8859_1)).isEqualTo(input);
	}

	@Test
	void consumedBytesAreACopy() throws IOException {
		ProxyHeader header = parse("ABC").header;
		header.getConsumed()[0] = 'Z';
		assertThat(header.getConsumed()).containsExactly('A');
	}

	// helpers

	/**
	 * Asserts that {@code parsed} is the example header of the specification in {@code version}
	 * (TCP4 192.0.2.1:56324 to 198.51.100.2:443), and that reading it left {@link #DATA} unread.
	 */
	private static void assertTcp4Example(Parsed parsed, int version) throws IOException {
		assertThat(parsed.header.isPresent()).isTrue();
		assertThat(parsed.header.getVersion()).isEqualTo(version);
		assertThat(parsed.header.isLocal()).isFalse();
		assertThat(parsed.header.getSourceAddress()).isEqualTo(address("192.0.2.1", 56324));
		assertThat(parsed.header.getDestinationAddress()).isEqualTo(address("198.51.100.2", 443));
		assertThat(parsed.header.getConsumed()).isEmpty();
		assertThat(parsed.rest()).isEqualTo(DATA);
		assertThat(parsed.header).hasToString("ProxyHeader[v" + version + " TCP4 192.0.2.1:56324 -> 198.51.100.2:443]");
	}

	static Parsed parse(String text) throws IOException {
		return parse(ascii(text));
	}

	static Parsed parse(byte[] input) throws IOException {
		ByteArrayInputStream in = new ByteArrayInputStream(input);
		ProxyHeader header = ProxyHeader.read(in);
		return new Parsed(header, in.readAllBytes());
	}

	static ByteArrayInputStream stream(String text) {
		return new ByteArrayInputStream(ascii(text));
	}

	static InetSocketAddress address(String literal, int port) throws IOException {
		return new InetSocketAddress(InetAddress.getByName(literal), port);
	}

	/** A version 2 header with {@code body} (addresses and TLVs), its length field set to match. */
	public static byte[] v2(int versionAndCommand, int family, byte[] body) {
		return concat(V2_SIGNATURE, bytes(versionAndCommand, family, body.length >> 8, body.length & 0xff), body);
	}

	static byte[] tlv(int type, byte[] value) {
		return concat(bytes(type, value.length >> 8, value.length & 0xff), value);
	}

	static byte[] bytes(int... values) {
		byte[] bytes = new byte[values.length];
		for (int i = 0; i < values.length; i++) {
			bytes[i] = (byte) values[i];
		}
		return bytes;
	}

	public static byte[] ascii(String text) {
		return text.getBytes(StandardCharsets.ISO_8859_1);
	}

	public static byte[] concat(byte[]... parts) {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		for (byte[] part : parts) {
			out.writeBytes(part);
		}
		return out.toByteArray();
	}

	static final class Parsed {

		final ProxyHeader header;

		final byte[] rest;

		Parsed(ProxyHeader header, byte[] rest) {
			this.header = header;
			this.rest = rest;
		}

		String rest() {
			return new String(this.rest, StandardCharsets.ISO_8859_1);
		}

	}

	/** Hands out at most a few bytes per read, as a socket may. */
	public static final class TrickleInputStream extends ByteArrayInputStream {

		private final int most;

		public TrickleInputStream(byte[] bytes, int most) {
			super(bytes);
			this.most = most;
		}

		@Override
		public synchronized int read(byte[] b, int off, int len) {
			return super.read(b, off, Math.min(len, this.most));
		}

		int position() {
			return this.pos;
		}

	}

	/** Fails a read past its bytes, where a real client's stream would block. */
	static final class StingyInputStream extends ByteArrayInputStream {

		StingyInputStream(byte[] bytes) {
			super(bytes);
		}

		@Override
		public synchronized int read() {
			assertThat(available()).as("read past what the client sent").isPositive();
			return super.read();
		}

		@Override
		public synchronized int read(byte[] b, int off, int len) {
			assertThat(available()).as("read past what the client sent").isPositive();
			return super.read(b, off, len);
		}

	}

	/**
	 * A prefix, then one byte repeated for a mebibyte: endless to a parser that reads too far,
	 * yet finite, so that such a parser fails the test instead of hanging it.
	 */
	static final class EndlessInputStream extends InputStream {

		private static final int LENGTH = 1024 * 1024;

		private final byte[] prefix;

		private final int filler;

		int position;

		EndlessInputStream(byte[] prefix, int filler) {
			this.prefix = prefix;
			this.filler = filler;
		}

		@Override
		public int read() {
			if (this.position >= LENGTH) {
				return -1;
			}
			int b = (this.position < this.prefix.length) ? this.prefix[this.position] & 0xff : this.filler;
			this.position++;
			return b;
		}

	}

}
