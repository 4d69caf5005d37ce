package dev.gserver;

import java.net.SocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Objects;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

import org.jspecify.annotations.Nullable;

import dev.gserver.proxy.ProxyProtocol;

/**
 * What a {@link StreamServer} adds to the shared settings: the listener's backlog and
 * {@code SO_REUSEPORT}, and for each connection {@code TCP_NODELAY}, the idle, write and frame
 * timeouts, TLS, the PROXY protocol and the cap per client address. Plain values; {@link StreamServer} runs with them.
 */
abstract class StreamSettings extends BaseServer<SocketConnection, Handler> {

	private @Nullable Integer backlog;

	private boolean reusePort;

	private volatile boolean tcpNoDelay = true;

	private volatile Duration idleTimeout = Duration.ZERO;

	private volatile Duration writeTimeout = StreamServer.DEFAULT_WRITE_TIMEOUT;

	private volatile Duration frameTimeout = StreamServer.DEFAULT_FRAME_TIMEOUT;

	private volatile TlsHandshake tls = TlsHandshake.NONE;

	private volatile @Nullable X509Certificate sslCertificate;

	private volatile ProxyProtocol proxyProtocol = ProxyProtocol.OFF;

	private final AddressLimit addressLimit = new AddressLimit();

	StreamSettings(String address, @Nullable Handler handler, Spawn spawn) {
		super(address, handler, spawn);
	}

	StreamSettings(SocketAddress address, @Nullable Handler handler, Spawn spawn) {
		super(address, handler, spawn);
	}

	StreamSettings(ServerSocketChannel listener, @Nullable Handler handler, Spawn spawn) {
		super(listener, handler, spawn);
	}

	public int getBacklog() {
		return (this.backlog != null) ? this.backlog : StreamServer.DEFAULT_BACKLOG;
	}

	/**
	 * Sets how many connections the kernel queues before they are accepted;
	 * {@link StreamServer#DEFAULT_BACKLOG}, the system's limit, by default.
	 * @throws IllegalArgumentException when the server was given a bound listener, as gevent does
	 */
	public void setBacklog(int backlog) {
		requireNoBacklog(isListenerGiven());
		if (backlog < 1) {
			throw new IllegalArgumentException("backlog must be at least 1, got " + backlog);
		}
		this.backlog = backlog;
	}

	public boolean isReusePort() {
		return this.reusePort;
	}

	/**
	 * Sets {@code SO_REUSEPORT} on the listener, so that several processes on one host can listen
	 * on the same port and the kernel spreads new connections among them; false by default.
	 * Starting fails where the platform has no such option.
	 */
	public void setReusePort(boolean reusePort) {
		this.reusePort = reusePort;
	}

	public boolean isTcpNoDelay() {
		return this.tcpNoDelay;
	}

	/** Sets {@code TCP_NODELAY} on accepted connections, so that small replies leave at once; true by default. */
	public void setTcpNoDelay(boolean tcpNoDelay) {
		this.tcpNoDelay = tcpNoDelay;
	}

	public Duration getIdleTimeout() {
		return this.idleTimeout;
	}

	/**
	 * Closes a connection that makes no progress either way for this long, as Redis's
	 * {@code timeout} does: a handler's read that gets nothing (while nothing goes out either)
	 * fails with a {@link java.net.SocketTimeoutException}; a write that moves nothing (while
	 * nothing comes in either) fails with an {@link IOException}, the watchdog having closed the
	 * connection. Counted as {@link ServerEventListener#connectionTimedOut(String) timed out} with
	 * reason {@code idle}; a handler may change it for its reads with
	 * {@link Connection#setReadTimeout(Duration)}. Zero (the default, as in gevent) turns it off.
	 * New connections take a change; the write side applies it to all at once. Reads on a Unix
	 * socket cannot time out.
	 */
	public void setIdleTimeout(Duration idleTimeout) {
		this.idleTimeout = Durations.requireNonNegative("idleTimeout", idleTimeout);
		timeoutsChanged();
	}

	public Duration getWriteTimeout() {
		return this.writeTimeout;
	}

	/**
	 * Closes a connection whose write stays blocked this long: a client that does not read its
	 * replies must not hold a handler and its buffers for ever. A write hands the socket at most
	 * 64 KiB at a time, and each piece must be taken within the timeout, so a client that reads
	 * slowly but steadily is never cut. The handler's write fails with an {@link IOException};
	 * counted as {@link ServerEventListener#connectionTimedOut(String) timed out} with reason
	 * {@code write}. 60 seconds by default ({@link #DEFAULT_WRITE_TIMEOUT}); zero turns it off.
	 * Applies to every connection at once, on TCP and Unix sockets.
	 */
	public void setWriteTimeout(Duration writeTimeout) {
		this.writeTimeout = Durations.requireNonNegative("writeTimeout", writeTimeout);
		timeoutsChanged();
	}

	public Duration getFrameTimeout() {
		return this.frameTimeout;
	}

	/**
	 * Sets how long a frame may take from its first byte to its last: what each connection's
	 * {@link dev.gserver.codec.FrameReader} starts with ({@link Connection#getFrameTimeout()}),
	 * so that a client sending a byte every few seconds, always within the idle timeout, cannot
	 * hold a handler for ever. A frame that takes longer is refused as {@code stalled}
	 * ({@code gserver.frames.rejected}) and the connection stays open for the handler to answer.
	 * 30 seconds by default ({@link #DEFAULT_FRAME_TIMEOUT}); zero turns it off. New connections
	 * take a change. Not on a Unix socket, whose reads cannot be bounded.
	 */
	public void setFrameTimeout(Duration frameTimeout) {
		this.frameTimeout = Durations.requireNonNegative("frameTimeout", frameTimeout);
	}

	@Override
	public boolean isSecure() {
		return this.tls.isEnabled();
	}

	public @Nullable SSLContext getSslContext() {
		return this.tls.getContext();
	}

	/**
	 * Serves TLS: each accepted connection runs a server-side handshake with this context on its
	 * handler's thread before the handler sees it. May change while the server runs (a reloaded
	 * certificate); new connections use the new context. {@code null} serves plaintext.
	 */
	public void setSslContext(@Nullable SSLContext sslContext) {
		this.tls = this.tls.withContext(sslContext);
		timeoutsChanged();
	}

	/** Returns the certificate the SSL context serves, as {@link #setSslCertificate} told it; {@code null} when not told. */
	public @Nullable X509Certificate getSslCertificate() {
		return this.sslCertificate;
	}

	/**
	 * Tells which certificate the SSL context serves, for whoever watches its expiry (the metric
	 * {@code gserver.tls.certificate.expiry}): an {@link SSLContext} does not say. Whoever gives the
	 * server a new context gives its certificate too, as the Spring Boot starter does from the SSL
	 * bundle at every reload. Handshakes do not read it.
	 */
	public void setSslCertificate(@Nullable X509Certificate sslCertificate) {
		this.sslCertificate = sslCertificate;
	}

	public @Nullable SSLParameters getSslParameters() {
		return this.tls.getParameters();
	}

	/** Sets the TLS parameters of each connection: protocols, cipher suites, client authentication. */
	public void setSslParameters(SSLParameters sslParameters) {
		this.tls = this.tls.withParameters(sslParameters);
	}

	public Duration getHandshakeTimeout() {
		return this.tls.getTimeout();
	}

	/**
	 * Sets how long a client gets to complete its TLS handshake, however its bytes are paced: a
	 * deadline for the whole handshake, not for each read; 10 seconds by default.
	 */
	public void setHandshakeTimeout(Duration handshakeTimeout) {
		this.tls = this.tls.withTimeout(handshakeTimeout);
		timeoutsChanged();
	}

	public ProxyProtocol getProxyProtocol() {
		return this.proxyProtocol;
	}

	/**
	 * Sets whether and how connections start with a PROXY protocol header (v1 or v2), read on the
	 * handler's thread before any TLS handshake: {@link ProxyProtocol#OFF} by default. A client
	 * whose header is missing (when required), malformed or too slow is closed and reported
	 * through {@link ServerEventListener#proxyHeaderRejected(String)}.
	 */
	public void setProxyProtocol(ProxyProtocol proxyProtocol) {
		this.proxyProtocol = Objects.requireNonNull(proxyProtocol, "proxyProtocol: use ProxyProtocol.OFF for none");
	}

	public int getMaxConnectionsPerAddress() {
		return this.addressLimit.getMax();
	}

	/**
	 * Caps the connections open at once from one client IP address (whatever its ports), so that
	 * one client cannot take every handler: a connection over the cap is closed at once, with no
	 * reply and no handler, and counted as {@link ServerEventListener#connectionRejected(String)
	 * rejected} with reason {@code per-address}. The address is the PROXY protocol header's source
	 * when there is one, so the cap is checked after the header is read, and before any TLS
	 * handshake, so that a refused client costs no handshake. Unix socket clients are never
	 * capped. 0, the default, is no cap: behind a load balancer that does not send the PROXY
	 * protocol, every connection comes from the balancer's address, and a cap would refuse
	 * clients at random. A change applies to new connections; those open stay.
	 */
	public void setMaxConnectionsPerAddress(int maxConnectionsPerAddress) {
		if (maxConnectionsPerAddress < 0) {
			throw new IllegalArgumentException(
					"maxConnectionsPerAddress must be 0 (no cap) or positive, not " + maxConnectionsPerAddress);
		}
		this.addressLimit.setMax(maxConnectionsPerAddress);
	}

	/** gevent's rule: a listener the caller bound comes with its own backlog. */
	static void requireNoBacklog(boolean conflict) {
		if (conflict) {
			throw new IllegalArgumentException("backlog must not be set when a bound ServerSocketChannel is given");
		}
	}

	boolean isBacklogSet() {
		return this.backlog != null;
	}

	/** Returns the connections open per client address, and their cap. */
	AddressLimit addressLimit() {
		return this.addressLimit;
	}

	/** Returns the TLS settings a new connection is secured with. */
	TlsHandshake tlsHandshake() {
		return this.tls;
	}

	/** Called when a timeout changed, so that the watchdog looks again. */
	abstract void timeoutsChanged();

}
