package dev.gserver.proxy;

import java.net.InetAddress;
import java.util.Arrays;

/**
 * A block of IP addresses in CIDR notation, {@code 10.0.0.0/8} or {@code fd00::/8}: for example
 * the addresses of the load balancers whose PROXY protocol headers are trusted.
 */
public final class CidrRange {

	/** The network's bytes, 4 or 16, with the host bits cleared. */
	private final byte[] network;

	private final int prefixLength;

	private CidrRange(byte[] network, int prefixLength) {
		this.network = network;
		this.prefixLength = prefixLength;
	}

	/**
	 * Parses {@code address/prefix-length}, as in {@code 10.0.0.0/8}, {@code 127.0.0.1/32},
	 * {@code ::1/128} or {@code fd00::/8}, or a lone address, which is a range of one
	 * ({@code /32} or {@code /128}). The address must be an IP literal: a host name is refused,
	 * never looked up. Host bits set in the address are accepted and cleared: {@code 10.1.2.3/8} is
	 * {@code 10.0.0.0/8}. Spaces around the text are ignored.
	 * @throws IllegalArgumentException quoting {@code text} when it is none of these
	 */
	public static CidrRange parse(String text) {
		if (text == null) {
			throw new IllegalArgumentException("Failed to parse CIDR range null: an address is required");
		}
		String trimmed = text.trim();
		int slash = trimmed.indexOf('/');
		String address = (slash < 0) ? trimmed : trimmed.substring(0, slash);
		boolean ipv6 = address.indexOf(':') >= 0;
		byte[] bytes = ipv6 ? IpLiterals.parseIpv6(address) : IpLiterals.parseIpv4(address);
		if (bytes == null) {
			throw malformed(text, ipv6 ? "'" + address + "' is not an IPv6 address"
					: "'" + address + "' is not an IPv4 address (host names are not accepted)");
		}
		int bits = bytes.length * 8;
		int prefixLength = bits;
		if (slash >= 0) {
			String prefix = trimmed.substring(slash + 1);
			prefixLength = parsePrefixLength(prefix);
			if (prefixLength < 0 || prefixLength > bits) {
				throw malformed(text, "the prefix length '" + prefix + "' is not a number 0-" + bits);
			}
		}
		for (int i = 0; i < bytes.length; i++) {
			bytes[i] &= mask(i, prefixLength);
		}
		return new CidrRange(bytes, prefixLength);
	}

	/** Returns the decimal prefix length, or -1 unless it is one to three ASCII digits. */
	private static int parsePrefixLength(String prefix) {
		if (prefix.isEmpty() || prefix.length() > 3) {
			return -1;
		}
		int value = 0;
		for (int i = 0; i < prefix.length(); i++) {
			char c = prefix.charAt(i);
			if (c < '0' || c > '9') {
				return -1;
			}
			value = value * 10 + (c - '0');
		}
		return value;
	}

	/** The bits of byte {@code index} that belong to a network of {@code prefixLength} bits. */
	private static byte mask(int index, int prefixLength) {
		int bits = Math.max(0, Math.min(8, prefixLength - 8 * index));
		return (byte) (0xff00 >> bits);
	}

	private static IllegalArgumentException malformed(String text, String reason) {
		return new IllegalArgumentException("Failed to parse CIDR range '" + text + "': " + reason
				+ "; expected an address and prefix length such as 10.0.0.0/8 or fd00::/8");
	}

	/**
	 * Returns whether {@code address} lies in this range. An IPv4 range also holds the
	 * IPv4-mapped IPv6 form of its addresses ({@code ::ffff:10.1.2.3} for {@code 10.0.0.0/8}), and
	 * an IPv6 range within {@code ::ffff:0:0/96} the IPv4 addresses it maps, since a dual-stack
	 * socket may report a client either way. A wider IPv6 range, such as {@code ::/0}, holds no
	 * IPv4 address. False for {@code null}.
	 */
	public boolean contains(InetAddress address) {
		if (address == null) {
			return false;
		}
		byte[] bytes = address.getAddress();
		if (bytes.length != this.network.length) {
			if (bytes.length == 16 && IpLiterals.isIpv4Mapped(bytes)) {
				bytes = Arrays.copyOfRange(bytes, 12, 16);
			}
			else if (bytes.length == 4 && this.prefixLength >= 96 && IpLiterals.isIpv4Mapped(this.network)) {
				byte[] mapped = new byte[16];
				mapped[10] = (byte) 0xff;
				mapped[11] = (byte) 0xff;
				System.arraycopy(bytes, 0, mapped, 12, 4);
				bytes = mapped;
			}
			else {
				return false;
			}
		}
		for (int i = 0; i < bytes.length; i++) {
			if ((bytes[i] & mask(i, this.prefixLength)) != this.network[i]) {
				return false;
			}
		}
		return true;
	}

	@Override
	public boolean equals(Object other) {
		if (this == other) {
			return true;
		}
		if (!(other instanceof CidrRange)) {
			return false;
		}
		CidrRange range = (CidrRange) other;
		return this.prefixLength == range.prefixLength && Arrays.equals(this.network, range.network);
	}

	@Override
	public int hashCode() {
		return 31 * Arrays.hashCode(this.network) + this.prefixLength;
	}

	/** Returns the canonical form, {@code 10.0.0.0/8} or {@code fd00::/8}, which {@link #parse(String)} reads back. */
	@Override
	public String toString() {
		return IpLiterals.format(this.network) + "/" + this.prefixLength;
	}

}
