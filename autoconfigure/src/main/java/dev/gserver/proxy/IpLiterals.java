package dev.gserver.proxy;

import org.jspecify.annotations.Nullable;

/**
 * Parses and writes IP address literals without {@link java.net.InetAddress#getByName}: that
 * method falls back to a DNS lookup for text it does not recognise, and text from a network peer
 * or a configuration file must never cause one.
 */
public final class IpLiterals {

	/** The longest IPv6 literal: {@code ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255}. */
	private static final int MAX_IPV6_LENGTH = 45;

	private IpLiterals() {
	}

	/**
	 * Parses a dotted-quad IPv4 literal, {@code 192.0.2.1}: four decimal numbers 0-255 of ASCII
	 * digits, each without leading zeros (which some parsers read as octal, so they are refused
	 * rather than guessed at).
	 * @return the four bytes, or {@code null} when {@code text} is not such a literal
	 */
	static byte @Nullable [] parseIpv4(CharSequence text) {
		int length = text.length();
		if (length < 7 || length > 15) {
			return null;
		}
		byte[] address = new byte[4];
		int part = 0;
		int value = 0;
		int digits = 0;
		for (int i = 0; i <= length; i++) {
			char c = (i < length) ? text.charAt(i) : '.';
			if (c == '.') {
				if (digits == 0 || part == 4) {
					return null;
				}
				address[part++] = (byte) value;
				value = 0;
				digits = 0;
			}
			else if (c >= '0' && c <= '9') {
				if (digits > 0 && value == 0) {
					// a leading zero
					return null;
				}
				value = value * 10 + (c - '0');
				digits++;
				if (value > 255) {
					return null;
				}
			}
			else {
				return null;
			}
		}
		return (part == 4) ? address : null;
	}

	/**
	 * Parses an IPv6 literal as RFC 4291 writes it: eight groups of one to four hex digits, one
	 * {@code ::} standing for a run of zero groups, and optionally a dotted IPv4 address as the
	 * last 32 bits ({@code ::ffff:192.0.2.1}). No brackets and no zone ({@code %eth0}).
	 * @return the sixteen bytes, or {@code null} when {@code text} is not such a literal
	 */
	static byte @Nullable [] parseIpv6(String text) {
		if (text.length() < 2 || text.length() > MAX_IPV6_LENGTH) {
			return null;
		}
		int gap = text.indexOf("::");
		if (gap >= 0 && text.indexOf("::", gap + 1) >= 0) {
			return null;
		}
		int[] head = new int[8];
		int[] tail = new int[8];
		int headCount;
		int tailCount = 0;
		if (gap < 0) {
			headCount = groups(text, head, true);
			if (headCount != 8) {
				return null;
			}
		}
		else {
			headCount = groups(text.substring(0, gap), head, false);
			tailCount = groups(text.substring(gap + 2), tail, true);
			// "::" stands for at least one zero group
			if (headCount < 0 || tailCount < 0 || headCount + tailCount > 7) {
				return null;
			}
		}
		byte[] address = new byte[16];
		for (int i = 0; i < headCount; i++) {
			address[2 * i] = (byte) (head[i] >> 8);
			address[2 * i + 1] = (byte) head[i];
		}
		for (int i = 0; i < tailCount; i++) {
			int at = 16 - 2 * (tailCount - i);
			address[at] = (byte) (tail[i] >> 8);
			address[at + 1] = (byte) tail[i];
		}
		return address;
	}

	/**
	 * Parses colon-separated hex groups into {@code groups}; a dotted IPv4 address is allowed as
	 * the last part when {@code last}, counting as two groups.
	 * @return the number of groups, or -1 when {@code part} is malformed
	 */
	private static int groups(String part, int[] groups, boolean last) {
		if (part.isEmpty()) {
			return 0;
		}
		int count = 0;
		int start = 0;
		while (true) {
			int colon = part.indexOf(':', start);
			int end = (colon < 0) ? part.length() : colon;
			if (colon < 0 && last && part.indexOf('.', start) >= 0) {
				byte[] ipv4 = parseIpv4(part.subSequence(start, end));
				if (ipv4 == null || count > 6) {
					return -1;
				}
				groups[count++] = ((ipv4[0] & 0xff) << 8) | (ipv4[1] & 0xff);
				groups[count++] = ((ipv4[2] & 0xff) << 8) | (ipv4[3] & 0xff);
				return count;
			}
			if (end == start || end - start > 4 || count == 8) {
				return -1;
			}
			int value = 0;
			for (int i = start; i < end; i++) {
				int digit = hexDigit(part.charAt(i));
				if (digit < 0) {
					return -1;
				}
				value = (value << 4) | digit;
			}
			groups[count++] = value;
			if (colon < 0) {
				return count;
			}
			start = colon + 1;
		}
	}

	/** ASCII only: {@link Character#digit(char, int)} would also take other scripts' digits. */
	private static int hexDigit(char c) {
		if (c >= '0' && c <= '9') {
			return c - '0';
		}
		if (c >= 'a' && c <= 'f') {
			return c - 'a' + 10;
		}
		if (c >= 'A' && c <= 'F') {
			return c - 'A' + 10;
		}
		return -1;
	}

	/**
	 * Writes an address of 4 or 16 bytes in its canonical form: {@code 192.0.2.1}; IPv6 as
	 * RFC 5952 recommends, lower case with the longest run of two or more zero groups as
	 * {@code ::}, and an IPv4-mapped address as {@code ::ffff:192.0.2.1}.
	 */
	public static String format(byte[] address) {
		if (address.length == 4) {
			return (address[0] & 0xff) + "." + (address[1] & 0xff) + "." + (address[2] & 0xff) + "." + (address[3] & 0xff);
		}
		if (isIpv4Mapped(address)) {
			return "::ffff:" + format(java.util.Arrays.copyOfRange(address, 12, 16));
		}
		int[] groups = new int[8];
		for (int i = 0; i < 8; i++) {
			groups[i] = ((address[2 * i] & 0xff) << 8) | (address[2 * i + 1] & 0xff);
		}
		int bestStart = -1;
		int bestLength = 1;
		for (int i = 0; i < 8; i++) {
			int length = 0;
			while (i + length < 8 && groups[i + length] == 0) {
				length++;
			}
			if (length > bestLength) {
				bestStart = i;
				bestLength = length;
			}
		}
		StringBuilder text = new StringBuilder(39);
		for (int i = 0; i < 8; i++) {
			if (i == bestStart) {
				text.append("::");
				i += bestLength - 1;
				continue;
			}
			if (text.length() > 0 && text.charAt(text.length() - 1) != ':') {
				text.append(':');
			}
			text.append(Integer.toHexString(groups[i]));
		}
		return text.toString();
	}

	/** Returns whether 16 bytes hold an IPv4-mapped IPv6 address, {@code ::ffff:a.b.c.d}. */
	static boolean isIpv4Mapped(byte[] address) {
		if (address.length != 16) {
			return false;
		}
		for (int i = 0; i < 10; i++) {
			if (address[i] != 0) {
				return false;
			}
		}
		return address[10] == (byte) 0xff && address[11] == (byte) 0xff;
	}

}
