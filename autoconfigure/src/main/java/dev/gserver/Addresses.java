package dev.gserver;

import java.net.BindException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.util.Locale;

import org.jspecify.annotations.Nullable;

import dev.gserver.proxy.IpLiterals;

/** gevent's address strings, parsed into socket addresses and written back. */
public final class Addresses {

	private static final String UNIX_PREFIX = "unix:";

	private Addresses() {
	}

	/** Returns whether {@code address} names a Unix domain socket: {@code unix:/path}. */
	public static boolean isUnixSocket(String address) {
		return address != null && address.trim().startsWith(UNIX_PREFIX);
	}

	/**
	 * Parses {@code "host:port"}, {@code ":port"}, {@code "*:port"}, {@code "port"},
	 * {@code "[ipv6]:port"} or {@code "unix:/path"}. An empty host, {@code *} and a bare port mean
	 * every local address.
	 * @throws IllegalArgumentException quoting {@code address} when it is malformed
	 */
	public static SocketAddress parse(String address) {
		if (address == null) {
			throw new IllegalArgumentException("Failed to parse address null: an address is required");
		}
		String text = address.trim();
		if (text.startsWith(UNIX_PREFIX)) {
			String path = text.substring(UNIX_PREFIX.length());
			if (path.isEmpty()) {
				throw malformed(address, "a Unix socket needs a path, as in unix:/run/app.sock");
			}
			return UnixDomainSocketAddress.of(path);
		}
		int colon = text.lastIndexOf(':');
		if (colon < 0) {
			return new InetSocketAddress(parsePort(address, text));
		}
		String host = text.substring(0, colon);
		int port = parsePort(address, text.substring(colon + 1));
		if (host.startsWith("[") && host.endsWith("]")) {
			host = host.substring(1, host.length() - 1);
			if (!host.isEmpty() && !host.equals("*") && !host.contains(":")) {
				throw malformed(address, "brackets are for IPv6 addresses");
			}
		}
		else if (host.contains(":")) {
			throw malformed(address, "an IPv6 address needs brackets, as in [::1]:" + port);
		}
		else if (host.contains("[") || host.contains("]")) {
			throw malformed(address, "unbalanced brackets");
		}
		if (host.isEmpty() || host.equals("*")) {
			return new InetSocketAddress(port);
		}
		if (host.chars().anyMatch(Character::isWhitespace)) {
			throw malformed(address, "the host contains spaces");
		}
		return new InetSocketAddress(host, port);
	}

	private static int parsePort(String address, String port) {
		String trimmed = port.trim();
		int value;
		try {
			value = Integer.parseInt(trimmed);
		}
		catch (NumberFormatException ex) {
			throw malformed(address, "'" + trimmed + "' is not a port number");
		}
		if (value < 0 || value > 65535) {
			throw malformed(address, "port " + value + " is outside 0-65535");
		}
		return value;
	}

	private static IllegalArgumentException malformed(String address, String reason) {
		return new IllegalArgumentException("Failed to parse address '" + address + "': " + reason);
	}

	/** Writes an address the way the parser reads it: {@code 127.0.0.1:7000}, {@code [::1]:7000}, {@code unix:/path}. */
	public static String format(@Nullable SocketAddress address) {
		if (address instanceof InetSocketAddress) {
			InetSocketAddress inet = (InetSocketAddress) address;
			String host = host(inet);
			return (host.contains(":") ? "[" + host + "]" : host) + ":" + inet.getPort();
		}
		if (address instanceof UnixDomainSocketAddress) {
			return UNIX_PREFIX + ((UnixDomainSocketAddress) address).getPath();
		}
		return String.valueOf(address);
	}

	/**
	 * Returns the host of an address as a literal ({@code 192.0.2.7}, {@code ::1}), as
	 * {@link #format(SocketAddress)} writes it without brackets and port: {@code 0.0.0.0} or
	 * {@code ::} for every local address.
	 */
	public static String host(InetSocketAddress address) {
		InetAddress ip = address.getAddress();
		if (ip == null) {
			return address.getHostString();
		}
		if (ip.isAnyLocalAddress()) {
			return (ip instanceof Inet4Address) ? "0.0.0.0" : "::";
		}
		if (ip instanceof Inet4Address) {
			return ip.getHostAddress();
		}
		// Java writes 0:0:0:0:0:0:0:1; the usual form, and gserver's, is ::1 (a zone stays as it is)
		String written = ip.getHostAddress();
		int zone = written.indexOf('%');
		return IpLiterals.format(ip.getAddress()) + ((zone < 0) ? "" : written.substring(zone));
	}

	/** Returns a bind failure whose message names the address; "address in use" as a {@link PortInUseException}. */
	static BindException bindFailure(SocketAddress address, Exception cause) {
		String reason = (cause instanceof java.nio.channels.UnresolvedAddressException)
				? "unknown host " + ((InetSocketAddress) address).getHostString()
				: (cause.getMessage() != null) ? cause.getMessage() : cause.getClass().getSimpleName();
		BindException failure;
		if (isAddressInUse(cause)) {
			int port = (address instanceof InetSocketAddress) ? ((InetSocketAddress) address).getPort() : -1;
			failure = new PortInUseException(format(address), port, reason);
		}
		else {
			failure = new BindException("Failed to bind " + format(address) + ": " + reason);
		}
		failure.initCause(cause);
		return failure;
	}

	private static boolean isAddressInUse(Exception cause) {
		return cause instanceof BindException && cause.getMessage() != null
				&& cause.getMessage().toLowerCase(Locale.ROOT).contains("address already in use");
	}

}
