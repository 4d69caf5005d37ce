package dev.gserver.proxy;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import org.jspecify.annotations.Nullable;

/**
 * The PROXY protocol header (HAProxy's specification, version 1 text and version 2 binary) with
 * which a load balancer tells the server who the client really is: the original client's address
 * and the address it connected to, which the server's own socket only sees as the balancer's.
 * <p>
 * {@link #read(InputStream)} takes it from the start of a connection, consuming exactly its bytes
 * and not one more, so that whatever follows is left to the application. A connection that does
 * not start with a header gives an {@linkplain #isPresent() absent} one holding the few bytes that
 * were read to find that out, to be replayed to the application.
 * <p>
 * Addresses are only ever parsed from literals: nothing here performs a DNS lookup. An IPv4-mapped
 * IPv6 address ({@code ::ffff:192.0.2.1}) becomes an IPv4 address, as Java's sockets report such
 * a peer.
 */
public final class ProxyHeader {

	/** The specification's limit for a whole version 1 line, "PROXY " to CRLF included. */
	static final int MAX_V1_LENGTH = 107;

	/**
	 * The largest version 2 length field (addresses and TLVs) accepted: the whole header then fits
	 * in 4 KiB. The specification allows 65535, but no balancer needs that much to describe a
	 * connection, and every byte of it would have to be read before the application's first.
	 */
	static final int MAX_V2_LENGTH = 4096 - 16;

	private static final byte[] V1_SIGNATURE = "PROXY ".getBytes(StandardCharsets.US_ASCII);

	private static final byte[] V2_SIGNATURE = { '\r', '\n', '\r', '\n', 0, '\r', '\n', 'Q', 'U', 'I', 'T', '\n' };

	/** The length of a version 2 header before its addresses: signature, version and command, family, length. */
	private static final int V2_PREFIX_LENGTH = 16;

	/** Room for the largest address block read (two IPv6 addresses and ports); the rest is skipped through it. */
	private static final int BUFFER_LENGTH = 64;

	private static final ProxyHeader ABSENT_AT_EOF = new ProxyHeader(0, null, null, null, new byte[0]);

	private final int version;

	/** TCP4, TCP6, UDP4, UDP6, UNKNOWN, LOCAL, UNSPEC or UNIX: only for {@link #toString()}. */
	private final @Nullable String protocol;

	private final @Nullable InetSocketAddress source;

	private final @Nullable InetSocketAddress destination;

	private final byte @Nullable [] consumed;

	private ProxyHeader(int version, @Nullable String protocol, @Nullable InetSocketAddress source,
			@Nullable InetSocketAddress destination, byte @Nullable [] consumed) {
		this.version = version;
		this.protocol = protocol;
		this.source = source;
		this.destination = destination;
		this.consumed = consumed;
	}

	/**
	 * Reads the header at the start of a blocking stream, consuming exactly its bytes: a version 1
	 * line byte by byte up to its CRLF, a version 2 header as its 16-byte prefix and then exactly
	 * the length that prefix gives (at most {@value #MAX_V2_LENGTH}), its TLVs skipped.
	 * <p>
	 * A stream that does not start with a signature ({@code "PROXY "} or the 12 bytes of version
	 * 2) is read only up to the first byte that rules both out, or up to its end, and gives an
	 * absent header whose {@link #getConsumed()} bytes (at most 12, none for an empty stream) the
	 * caller replays to the application.
	 * @throws ProxyProtocolException when the header is malformed, longer than allowed, or of an
	 * address family that is not supported
	 * @throws EOFException when the stream ends inside a header, after its signature
	 */
	public static ProxyHeader read(InputStream in) throws IOException {
		int first = in.read();
		if (first < 0) {
			return ABSENT_AT_EOF;
		}
		byte[] signature = (first == V1_SIGNATURE[0]) ? V1_SIGNATURE : (first == V2_SIGNATURE[0]) ? V2_SIGNATURE : null;
		if (signature == null) {
			return absent(new byte[] { (byte) first }, 1);
		}
		// byte by byte: a client that is not a proxy may send two bytes and wait for an answer
		byte[] read = new byte[signature.length];
		read[0] = (byte) first;
		for (int i = 1; i < signature.length; i++) {
			int b = in.read();
			if (b < 0) {
				return absent(read, i);
			}
			read[i] = (byte) b;
			if (b != (signature[i] & 0xff)) {
				return absent(read, i + 1);
			}
		}
		return (signature == V1_SIGNATURE) ? readV1(in) : readV2(in);
	}

	private static ProxyHeader absent(byte[] read, int length) {
		return new ProxyHeader(0, null, null, null, Arrays.copyOf(read, length));
	}

	/** Reads the rest of a version 1 line, after "PROXY ", up to and including its CRLF. */
	private static ProxyHeader readV1(InputStream in) throws IOException {
		// what may stand between "PROXY " and CRLF
		byte[] line = new byte[MAX_V1_LENGTH - V1_SIGNATURE.length - 2];
		int length = 0;
		while (true) {
			int b = readByte(in);
			if (b == '\r') {
				if (readByte(in) != '\n') {
					throw malformed("v1 header has a CR not followed by LF");
				}
				break;
			}
			if (b == '\n') {
				throw malformed("v1 header has an LF not preceded by CR");
			}
			if (length == line.length) {
				// stop here: reading on to find the CRLF would let a peer make us read without end
				throw new ProxyProtocolException(ProxyProtocolException.OVERSIZED,
						"PROXY protocol v1 header is longer than " + MAX_V1_LENGTH + " bytes");
			}
			line[length++] = (byte) b;
		}
		return parseV1(new String(line, 0, length, StandardCharsets.ISO_8859_1));
	}

	/**
	 * Parses {@code TCP4 src dst sport dport}, {@code TCP6 ...} or {@code UNKNOWN[ anything]}:
	 * fields separated by exactly one space, addresses as literals of the protocol's family.
	 */
	private static ProxyHeader parseV1(String line) throws ProxyProtocolException {
		int space = line.indexOf(' ');
		String protocol = (space < 0) ? line : line.substring(0, space);
		if (protocol.equals("UNKNOWN")) {
			// the specification: the receiver must ignore anything after UNKNOWN
			return new ProxyHeader(1, "UNKNOWN", null, null, null);
		}
		boolean ipv6 = protocol.equals("TCP6");
		if (!ipv6 && !protocol.equals("TCP4")) {
			throw malformed("v1 header has unknown protocol " + ProxyProtocolException.quote(protocol));
		}
		String[] fields = new String[5];
		int count = 0;
		int start = 0;
		while (start <= line.length()) {
			int end = line.indexOf(' ', start);
			if (end < 0) {
				end = line.length();
			}
			if (end == start) {
				throw malformed("v1 header has an empty field: fields are separated by exactly one space");
			}
			if (count == fields.length) {
				throw malformed("v1 header has more than " + fields.length + " fields");
			}
			fields[count++] = line.substring(start, end);
			start = end + 1;
		}
		if (count != fields.length) {
			throw malformed("v1 header has " + count + " fields for " + protocol + ", not " + fields.length);
		}
		InetAddress sourceAddress = v1Address(fields[1], ipv6, "source");
		InetAddress destinationAddress = v1Address(fields[2], ipv6, "destination");
		int sourcePort = v1Port(fields[3], "source");
		int destinationPort = v1Port(fields[4], "destination");
		return new ProxyHeader(1, protocol, new InetSocketAddress(sourceAddress, sourcePort),
				new InetSocketAddress(destinationAddress, destinationPort), null);
	}

	private static InetAddress v1Address(String text, boolean ipv6, String which) throws ProxyProtocolException {
		byte[] address = ipv6 ? IpLiterals.parseIpv6(text) : IpLiterals.parseIpv4(text);
		if (address == null) {
			throw malformed("v1 header's " + which + " address " + ProxyProtocolException.quote(text) + " is not an "
					+ (ipv6 ? "IPv6" : "IPv4") + " literal");
		}
		return inetAddress(address);
	}

	/** A port is 0-65535 in decimal: no sign, no leading zeros. */
	private static int v1Port(String text, String which) throws ProxyProtocolException {
		int value = 0;
		boolean valid = text.length() <= 5 && !(text.length() > 1 && text.charAt(0) == '0');
		for (int i = 0; valid && i < text.length(); i++) {
			char c = text.charAt(i);
			valid = c >= '0' && c <= '9';
			value = value * 10 + (c - '0');
		}
		if (!valid || value > 65535) {
			throw malformed("v1 header's " + which + " port " + ProxyProtocolException.quote(text)
					+ " is not a number 0-65535");
		}
		return value;
	}

	/** Reads a version 2 header after its signature. */
	private static ProxyHeader readV2(InputStream in) throws IOException {
		int versionAndCommand = readByte(in);
		int family = readByte(in);
		int length = (readByte(in) << 8) | readByte(in);
		if ((versionAndCommand >> 4) != 2) {
			throw malformed("v2 header has version " + (versionAndCommand >> 4) + ", not 2");
		}
		int command = versionAndCommand & 0x0f;
		if (command > 1) {
			throw malformed("v2 header has command " + command + ", neither LOCAL (0) nor PROXY (1)");
		}
		if (length > MAX_V2_LENGTH) {
			// refused before reading it: the peer would have us read 64 KiB before the first byte of data
			throw new ProxyProtocolException(ProxyProtocolException.OVERSIZED,
					"PROXY protocol v2 header's length " + length + " is more than the " + MAX_V2_LENGTH + " allowed");
		}
		byte[] buffer = new byte[BUFFER_LENGTH];
		if (command == 0) {
			// LOCAL: the balancer's own connection (a health check); the specification has the family ignored
			skip(in, buffer, length);
			return new ProxyHeader(2, "LOCAL", null, null, null);
		}
		int addressLength;
		String protocol;
		switch (family) {
			case 0x00:
				addressLength = 0;
				protocol = "UNSPEC";
				break;
			case 0x11:
				addressLength = 12;
				protocol = "TCP4";
				break;
			case 0x12:
				addressLength = 12;
				protocol = "UDP4";
				break;
			case 0x21:
				addressLength = 36;
				protocol = "TCP6";
				break;
			case 0x22:
				addressLength = 36;
				protocol = "UDP6";
				break;
			case 0x31:
			case 0x32:
				addressLength = 216;
				protocol = "UNIX";
				break;
			default:
				throw new ProxyProtocolException(ProxyProtocolException.UNSUPPORTED,
						"PROXY protocol v2 header has unsupported address family and transport 0x"
								+ ProxyProtocolException.hex(family));
		}
		if (length < addressLength) {
			throw malformed("v2 " + protocol + " header's length " + length + " is less than its " + addressLength
					+ " bytes of addresses");
		}
		if (addressLength == 0 || addressLength > BUFFER_LENGTH) {
			// UNSPEC and UNIX: no addresses that an InetSocketAddress could hold, so the real ones are kept
			skip(in, buffer, length);
			return new ProxyHeader(2, protocol, null, null, null);
		}
		readFully(in, buffer, addressLength);
		int size = (addressLength - 4) / 2;
		InetAddress sourceAddress = inetAddress(Arrays.copyOfRange(buffer, 0, size));
		InetAddress destinationAddress = inetAddress(Arrays.copyOfRange(buffer, size, 2 * size));
		int sourcePort = ((buffer[2 * size] & 0xff) << 8) | (buffer[2 * size + 1] & 0xff);
		int destinationPort = ((buffer[2 * size + 2] & 0xff) << 8) | (buffer[2 * size + 3] & 0xff);
		// the TLVs (TLS details, a balancer's connection ids) are not used: read past them, through
		// the buffer the addresses were in, now that they are taken from it
		skip(in, buffer, length - addressLength);
		return new ProxyHeader(2, protocol, new InetSocketAddress(sourceAddress, sourcePort),
				new InetSocketAddress(destinationAddress, destinationPort), null);
	}

	private static InetAddress inetAddress(byte[] address) {
		try {
			// from bytes: no lookup, and an IPv4-mapped IPv6 address becomes IPv4, as a socket reports it
			return InetAddress.getByAddress(address);
		}
		catch (UnknownHostException ex) {
			// only for a length other than 4 or 16, which the callers never pass
			throw new IllegalStateException(ex);
		}
	}

	private static int readByte(InputStream in) throws IOException {
		int b = in.read();
		if (b < 0) {
			throw truncated();
		}
		return b;
	}

	private static void readFully(InputStream in, byte[] buffer, int length) throws IOException {
		int done = 0;
		while (done < length) {
			int read = in.read(buffer, done, length - done);
			if (read < 0) {
				throw truncated();
			}
			done += read;
		}
	}

	/** Reads and drops {@code length} bytes through {@code buffer}: InputStream.skip may seek past the end. */
	private static void skip(InputStream in, byte[] buffer, int length) throws IOException {
		int left = length;
		while (left > 0) {
			int read = in.read(buffer, 0, Math.min(left, buffer.length));
			if (read < 0) {
				throw truncated();
			}
			left -= read;
		}
	}

	private static EOFException truncated() {
		return new EOFException("Connection closed inside a PROXY protocol header");
	}

	private static ProxyProtocolException malformed(String what) {
		return new ProxyProtocolException(ProxyProtocolException.MALFORMED, "PROXY protocol " + what);
	}

	/** Returns whether the connection started with a header; when not, see {@link #getConsumed()}. */
	public boolean isPresent() {
		return this.version != 0;
	}

	/** Returns the header's version, 1 (text) or 2 (binary); 0 when absent. */
	public int getVersion() {
		return this.version;
	}

	/**
	 * Returns whether the header says to keep the connection's real addresses: a v2 LOCAL command
	 * (a balancer's own health check), v1 {@code UNKNOWN}, or a v2 family without IP addresses
	 * (UNSPEC, UNIX). False when absent.
	 */
	public boolean isLocal() {
		return this.version != 0 && this.source == null;
	}

	/**
	 * Returns the original client's address; {@code null} when the header is absent or
	 * {@linkplain #isLocal() local}, that is, non-null exactly when it replaces the peer's address.
	 */
	public @Nullable InetSocketAddress getSourceAddress() {
		return this.source;
	}

	/** Returns the address the original client connected to; {@code null} when absent or local. */
	public @Nullable InetSocketAddress getDestinationAddress() {
		return this.destination;
	}

	/**
	 * Returns the bytes read from a stream without a header, which belong to the application and
	 * must be replayed to it before the rest of the stream: at most 12, empty when the stream was
	 * empty and when a header is present.
	 */
	public byte[] getConsumed() {
		return (this.consumed != null) ? this.consumed.clone() : new byte[0];
	}

	@Override
	public String toString() {
		if (this.version == 0) {
			return "ProxyHeader[absent, " + getConsumed().length + " byte(s) read]";
		}
		StringBuilder text = new StringBuilder("ProxyHeader[v").append(this.version).append(' ').append(this.protocol);
		// both or neither: a header replaces both addresses or none
		InetSocketAddress destination = this.destination;
		if (this.source != null && destination != null) {
			text.append(' ')
				.append(format(this.source))
				.append(" -> ")
				.append(format(destination));
		}
		return text.append(']').toString();
	}

	/** Writes an address as gserver does everywhere: {@code 192.0.2.1:80}, {@code [2001:db8::1]:80}. */
	private static String format(InetSocketAddress address) {
		String host = IpLiterals.format(address.getAddress().getAddress());
		return (host.contains(":") ? "[" + host + "]" : host) + ":" + address.getPort();
	}

}
