package dev.gserver.proxy;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

/**
 * How a TCP server reads the PROXY protocol header in front of each connection: the
 * {@link ProxyProtocolMode mode}, the sources trusted to send one, and how long a client gets to
 * send it. Immutable; each {@code with} method returns a copy.
 */
public final class ProxyProtocol {

	/** No header is read: the default. */
	public static final ProxyProtocol OFF = new ProxyProtocol(ProxyProtocolMode.OFF, List.of(), Duration.ofSeconds(5));

	private final ProxyProtocolMode mode;

	private final List<CidrRange> trusted;

	private final Duration timeout;

	private ProxyProtocol(ProxyProtocolMode mode, List<CidrRange> trusted, Duration timeout) {
		this.mode = mode;
		this.trusted = trusted;
		this.timeout = timeout;
	}

	/** Returns the PROXY protocol in {@code mode}, from every source, with a 5 second timeout. */
	public static ProxyProtocol of(ProxyProtocolMode mode) {
		return OFF.withMode(mode);
	}

	public ProxyProtocolMode getMode() {
		return this.mode;
	}

	public List<CidrRange> getTrusted() {
		return this.trusted;
	}

	public Duration getTimeout() {
		return this.timeout;
	}

	public ProxyProtocol withMode(ProxyProtocolMode mode) {
		return new ProxyProtocol(Objects.requireNonNull(mode, "mode"), this.trusted, this.timeout);
	}

	/** Returns a copy that believes headers from {@code trusted} only; empty trusts every source. */
	public ProxyProtocol withTrusted(List<CidrRange> trusted) {
		return new ProxyProtocol(this.mode, List.copyOf(trusted), this.timeout);
	}

	public ProxyProtocol withTimeout(Duration timeout) {
		if (timeout == null || timeout.isNegative() || timeout.isZero()) {
			throw new IllegalArgumentException("proxyProtocolTimeout must be positive, got " + timeout);
		}
		return new ProxyProtocol(this.mode, this.trusted, timeout);
	}

	/**
	 * Reads the header a client just accepted starts with, as the mode and the trusted sources
	 * say. The caller bounds the read by {@link #getTimeout()}: a read that times out is reported
	 * as {@link ProxyProtocolException#TIMEOUT}.
	 * @param in the client's input, not buffered: nothing past the header is read
	 * @param peer the client's socket address, checked against the trusted sources
	 * @return the header (whose {@link ProxyHeader#getConsumed() consumed bytes} are the handler's
	 * when none was there), or {@code null} when nothing was read: the mode is off, or optional
	 * and the source untrusted, so that its bytes reach the handler as data
	 * @throws ProxyProtocolException when the client must be closed; its reason says why
	 */
	public @Nullable ProxyHeader read(InputStream in, @Nullable SocketAddress peer) throws ProxyProtocolException {
		if (this.mode == ProxyProtocolMode.OFF) {
			return null;
		}
		if (!isTrusted(peer)) {
			if (this.mode == ProxyProtocolMode.OPTIONAL) {
				return null;
			}
			throw new ProxyProtocolException(ProxyProtocolException.UNTRUSTED, "source not trusted");
		}
		ProxyHeader header;
		try {
			header = ProxyHeader.read(in);
		}
		catch (ProxyProtocolException ex) {
			throw ex;
		}
		catch (SocketTimeoutException ex) {
			throw new ProxyProtocolException(ProxyProtocolException.TIMEOUT,
					"no header within " + this.timeout.toMillis() + " ms");
		}
		catch (IOException ex) {
			throw new ProxyProtocolException(ProxyProtocolException.CLOSED, ex.toString());
		}
		if (!header.isPresent() && this.mode == ProxyProtocolMode.REQUIRED) {
			throw new ProxyProtocolException(ProxyProtocolException.MISSING,
					"the connection does not start with a PROXY header");
		}
		return header;
	}

	private boolean isTrusted(@Nullable SocketAddress peer) {
		if (this.trusted.isEmpty()) {
			return true;
		}
		if (!(peer instanceof InetSocketAddress)) {
			return false;
		}
		return this.trusted.stream().anyMatch((range) -> range.contains(((InetSocketAddress) peer).getAddress()));
	}

	@Override
	public String toString() {
		return "ProxyProtocol(" + this.mode + ", trusted=" + this.trusted + ", timeout=" + this.timeout + ")";
	}

}
