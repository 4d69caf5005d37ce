package dev.gserver;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channel;
import java.nio.channels.NotYetBoundException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.UnresolvedAddressException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.gserver.proxy.CidrRange;
import dev.gserver.proxy.ProxyHeader;
import dev.gserver.proxy.ProxyProtocolException;
import dev.gserver.proxy.ProxyProtocolMode;

/**
 * A TCP server: gevent's {@code StreamServer}. Each accepted connection is handed to a
 * {@link Handler} on its own thread (see {@link Spawn}).
 *
 * <pre>{@code
 * StreamServer server = new StreamServer("127.0.0.1:7000", connection -> {
 *     connection.getInputStream().transferTo(connection.getOutputStream());
 * });
 * server.serveForever();
 * }</pre>
 */
public class StreamServer extends BaseServer<SocketConnection, Handler> {

	private static final Logger LOGGER = LoggerFactory.getLogger(StreamServer.class);

	/** The listen backlog unless set: gevent's {@code backlog = 128}. */
	public static final int DEFAULT_BACKLOG = 128;

	private Integer backlog;

	private boolean reuseAddress = true;

	private boolean reusePort;

	private boolean tcpNoDelay = true;

	private volatile SSLContext sslContext;

	private volatile SSLParameters sslParameters;

	private volatile Duration handshakeTimeout = Duration.ofSeconds(10);

	private volatile Duration idleTimeout = Duration.ZERO;

	private volatile ProxyProtocolMode proxyProtocol = ProxyProtocolMode.OFF;

	private volatile List<CidrRange> proxyProtocolTrusted = List.of();

	private volatile Duration proxyProtocolTimeout = Duration.ofSeconds(5);

	private final Runnable idleClosed = () -> getEvents().connectionIdleClosed();

	/** Set when the server bound a Unix socket file: it removes the file when it closes. */
	private volatile Path boundSocketFile;

	/** Serves on a gevent address string, such as {@code "127.0.0.1:7000"}, {@code ":7000"} or {@code "[::1]:0"}. */
	public StreamServer(String address, Handler handler) {
		this(address, handler, Spawn.DEFAULT);
	}

	public StreamServer(String address, Handler handler, Spawn spawn) {
		super(address, handler, spawn);
	}

	public StreamServer(SocketAddress address, Handler handler) {
		this(address, handler, Spawn.DEFAULT);
	}

	public StreamServer(SocketAddress address, Handler handler, Spawn spawn) {
		super(address, handler, spawn);
	}

	/**
	 * Serves on a channel the caller already bound (and that is then taken as is: no backlog may
	 * be set). Stopping the server closes it.
	 */
	public StreamServer(ServerSocketChannel listener, Handler handler) {
		this(listener, handler, Spawn.DEFAULT);
	}

	public StreamServer(ServerSocketChannel listener, Handler handler, Spawn spawn) {
		super(requireBound(listener), handler, spawn);
	}

	/** Serves on a channel the caller already bound; see {@link #StreamServer(ServerSocketChannel, Handler)}. */
	public void setListener(ServerSocketChannel listener) {
		if (this.backlog != null) {
			throw new IllegalArgumentException("backlog must not be set when a bound ServerSocketChannel is given");
		}
		setListenerChannel(requireBound(listener));
	}

	private static ServerSocketChannel requireBound(ServerSocketChannel listener) {
		try {
			if (listener != null && listener.isOpen() && listener.getLocalAddress() == null) {
				throw new IllegalArgumentException("The listener " + listener + " is not bound: bind it first");
			}
		}
		catch (IOException ex) {
			throw new IllegalArgumentException("Cannot read the address of listener " + listener, ex);
		}
		return listener;
	}

	public int getBacklog() {
		return (this.backlog != null) ? this.backlog : DEFAULT_BACKLOG;
	}

	/**
	 * Sets how many connections the kernel queues before they are accepted; 128 by default.
	 * @throws IllegalArgumentException when the server was given a bound listener, as gevent does
	 */
	public void setBacklog(int backlog) {
		if (isListenerGiven()) {
			throw new IllegalArgumentException("backlog must not be set when a bound ServerSocketChannel is given");
		}
		if (backlog < 1) {
			throw new IllegalArgumentException("backlog must be at least 1, got " + backlog);
		}
		this.backlog = backlog;
	}

	public boolean isReuseAddress() {
		return this.reuseAddress;
	}

	/** Sets {@code SO_REUSEADDR} on the listener, so that a restart can bind while old connections linger; true by default. */
	public void setReuseAddress(boolean reuseAddress) {
		this.reuseAddress = reuseAddress;
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

	/** Binds and listens when built from an address; returns a given listener as it is. */
	@Override
	protected SelectableChannel initSocket() throws IOException {
		if (isListenerGiven()) {
			ServerSocketChannel given = (ServerSocketChannel) getListener();
			if (given.getLocalAddress() == null) {
				throw new NotYetBoundException();
			}
			return given;
		}
		SocketAddress address = getAddress();
		boolean unix = address instanceof UnixDomainSocketAddress;
		if (unix && this.sslContext != null) {
			throw new IllegalStateException("TLS needs a TCP listener, not the Unix socket " + Addresses.format(address)
					+ ": a Unix socket is local, so serve it in plaintext or listen on TCP");
		}
		if (unix && this.proxyProtocol != ProxyProtocolMode.OFF) {
			throw new IllegalStateException("The PROXY protocol needs a TCP listener, not the Unix socket "
					+ Addresses.format(address) + ": turn it off or listen on TCP");
		}
		if (unix) {
			removeStaleSocketFile((UnixDomainSocketAddress) address);
		}
		ServerSocketChannel channel = unix ? ServerSocketChannel.open(StandardProtocolFamily.UNIX)
				: ServerSocketChannel.open();
		try {
			if (!unix) {
				channel.setOption(StandardSocketOptions.SO_REUSEADDR, this.reuseAddress);
				if (this.reusePort) {
					setReusePort(channel, address);
				}
			}
			channel.bind(address, getBacklog());
			if (unix) {
				this.boundSocketFile = ((UnixDomainSocketAddress) address).getPath();
			}
			return channel;
		}
		catch (IOException | UnresolvedAddressException ex) {
			channel.close();
			throw Addresses.bindFailure(address, ex);
		}
	}

	private static void setReusePort(ServerSocketChannel channel, SocketAddress address) throws IOException {
		if (!channel.supportedOptions().contains(StandardSocketOptions.SO_REUSEPORT)) {
			channel.close();
			throw new UnsupportedOperationException("SO_REUSEPORT is not supported on this platform, so "
					+ Addresses.format(address) + " cannot be shared: turn reusePort off");
		}
		channel.setOption(StandardSocketOptions.SO_REUSEPORT, true);
	}

	/**
	 * Deletes the socket file a crashed run left behind; a file a live server listens on is left
	 * alone, and binding then fails as "address in use".
	 */
	private static void removeStaleSocketFile(UnixDomainSocketAddress address) throws IOException {
		if (!Files.exists(address.getPath())) {
			return;
		}
		try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
			probe.connect(address);
			return;
		}
		catch (IOException ex) {
			// nobody listens: stale
		}
		Files.deleteIfExists(address.getPath());
	}

	/** Closes the listener, and removes the Unix socket file this server created. */
	@Override
	public void close() {
		super.close();
		Path file = this.boundSocketFile;
		if (file != null) {
			this.boundSocketFile = null;
			try {
				Files.deleteIfExists(file);
			}
			catch (IOException ex) {
				LOGGER.warn("Could not remove the socket file {}: {}", file, ex.toString());
			}
		}
	}

	/**
	 * Returns a server on the listening socket this JVM inherited on its standard input, from
	 * inetd or from systemd socket activation ({@code StandardInput=socket}), as gevent serves a
	 * pre-bound socket.
	 * @throws IllegalStateException when no listening socket was inherited
	 */
	public static StreamServer inherited(Handler handler, Spawn spawn) throws IOException {
		Channel channel = System.inheritedChannel();
		if (!(channel instanceof ServerSocketChannel)) {
			throw new IllegalStateException("No listening socket was inherited (System.inheritedChannel() is " + channel
					+ "): start the JVM with one on its standard input, from systemd socket activation"
					+ " (StandardInput=socket) or inetd");
		}
		return new StreamServer((ServerSocketChannel) channel, handler, spawn);
	}

	@Override
	protected SocketConnection doRead() throws IOException {
		SocketChannel client = ((ServerSocketChannel) getListener()).accept();
		if (client == null) {
			return null;
		}
		try {
			client.configureBlocking(true);
			// TCP options; a Unix socket has neither
			if (client.getRemoteAddress() instanceof InetSocketAddress) {
				if (this.tcpNoDelay) {
					client.setOption(StandardSocketOptions.TCP_NODELAY, true);
				}
				int idle = (int) Math.min(Integer.MAX_VALUE, this.idleTimeout.toMillis());
				if (idle > 0) {
					client.socket().setSoTimeout(idle);
				}
			}
			return new SocketConnection(client, getTraffic(), this.idleClosed);
		}
		catch (IOException | RuntimeException ex) {
			client.close();
			throw ex;
		}
	}

	/**
	 * Reads the PROXY protocol header, then runs the TLS handshake, on the handler's thread, as
	 * the server is configured for each.
	 */
	@Override
	protected boolean prepare(SocketConnection client) {
		if (!readProxyHeader(client)) {
			return false;
		}
		SSLContext context = this.sslContext;
		if (context == null) {
			return true;
		}
		try {
			client.secure(context, this.sslParameters, (int) Math.min(Integer.MAX_VALUE, this.handshakeTimeout.toMillis()));
			return true;
		}
		catch (IOException | RuntimeException ex) {
			String reason = TlsFailures.reason(ex);
			LOGGER.debug("TLS handshake with {} failed ({}): {}", client.getRemoteAddress(), reason, ex.toString());
			getEvents().tlsHandshakeFailed(reason);
			return false;
		}
	}

	/** Returns whether the client may go on: its header was read, or none was due. */
	private boolean readProxyHeader(SocketConnection client) {
		ProxyProtocolMode mode = this.proxyProtocol;
		if (mode == ProxyProtocolMode.OFF) {
			return true;
		}
		if (!isTrustedProxy(client.getChannel())) {
			// a header from anyone else is not believed: with OPTIONAL its bytes reach the handler as data
			return mode == ProxyProtocolMode.OPTIONAL || proxyHeaderRejected(client, "untrusted", "source not trusted");
		}
		ProxyHeader header;
		try {
			header = client.readProxyHeader((int) Math.min(Integer.MAX_VALUE, this.proxyProtocolTimeout.toMillis()));
		}
		catch (ProxyProtocolException ex) {
			return proxyHeaderRejected(client, ex.getReason(), ex.getMessage());
		}
		catch (SocketTimeoutException ex) {
			return proxyHeaderRejected(client, "timeout", "no header within " + this.proxyProtocolTimeout.toMillis() + " ms");
		}
		catch (IOException ex) {
			return proxyHeaderRejected(client, "closed", ex.toString());
		}
		if (!header.isPresent() && mode == ProxyProtocolMode.REQUIRED) {
			return proxyHeaderRejected(client, "missing", "the connection does not start with a PROXY header");
		}
		return true;
	}

	private boolean isTrustedProxy(SocketChannel channel) {
		List<CidrRange> trusted = this.proxyProtocolTrusted;
		if (trusted.isEmpty()) {
			return true;
		}
		SocketAddress peer = SocketConnection.remoteAddress(channel);
		if (!(peer instanceof InetSocketAddress)) {
			return false;
		}
		InetAddress address = ((InetSocketAddress) peer).getAddress();
		return trusted.stream().anyMatch((range) -> range.contains(address));
	}

	/** A client refused for its PROXY header costs a DEBUG line, as a failed TLS handshake does. */
	private boolean proxyHeaderRejected(SocketConnection client, String reason, String detail) {
		LOGGER.debug("PROXY header from {} refused ({}): {}", SocketConnection.remoteAddress(client.getChannel()),
				reason, detail);
		getEvents().proxyHeaderRejected(reason);
		return false;
	}

	@Override
	protected void handle(SocketConnection client) throws Exception {
		getHandle().handle(client);
	}

	@Override
	protected void doClose(SocketConnection client) {
		try {
			client.close();
		}
		catch (IOException ex) {
			// the client is gone either way
		}
	}

	@Override
	protected boolean wasClosedByServer(SocketConnection client) {
		return client.wasClosedIdle();
	}

	@Override
	protected void doAbort(SocketConnection client) {
		client.abort();
	}

	@Override
	protected void doEndInput(SocketConnection client) {
		client.endInput();
	}

	@Override
	protected SocketAddress getRemoteAddress(SocketConnection client) {
		return client.getRemoteAddress();
	}

	@Override
	public boolean isSecure() {
		return this.sslContext != null;
	}

	public SSLContext getSslContext() {
		return this.sslContext;
	}

	/**
	 * Serves TLS: each accepted connection runs a server-side handshake with this context on its
	 * handler's thread before the handler sees it. May change while the server runs (a reloaded
	 * certificate); new connections use the new context. {@code null} serves plaintext.
	 */
	public void setSslContext(SSLContext sslContext) {
		this.sslContext = sslContext;
	}

	public SSLParameters getSslParameters() {
		return this.sslParameters;
	}

	/** Sets the TLS parameters of each connection: protocols, cipher suites, client authentication. */
	public void setSslParameters(SSLParameters sslParameters) {
		this.sslParameters = sslParameters;
	}

	public Duration getIdleTimeout() {
		return this.idleTimeout;
	}

	/**
	 * Closes a connection whose client sends nothing for this long: the handler's blocked read
	 * fails with a {@link java.net.SocketTimeoutException} and the connection is closed. Zero (the
	 * default, as in gevent) turns it off.
	 */
	public void setIdleTimeout(Duration idleTimeout) {
		if (idleTimeout == null || idleTimeout.isNegative()) {
			throw new IllegalArgumentException("idleTimeout must not be negative, got " + idleTimeout);
		}
		this.idleTimeout = idleTimeout;
	}

	public Duration getHandshakeTimeout() {
		return this.handshakeTimeout;
	}

	public ProxyProtocolMode getProxyProtocol() {
		return this.proxyProtocol;
	}

	/**
	 * Sets whether connections start with a PROXY protocol header (v1 or v2), read on the
	 * handler's thread before any TLS handshake: {@link ProxyProtocolMode#OFF} by default. A
	 * client whose header is missing (when required), malformed or too slow is closed and
	 * reported through {@link ServerEventListener#proxyHeaderRejected(String)}.
	 */
	public void setProxyProtocol(ProxyProtocolMode proxyProtocol) {
		this.proxyProtocol = Objects.requireNonNull(proxyProtocol, "proxyProtocol");
	}

	public List<CidrRange> getProxyProtocolTrusted() {
		return this.proxyProtocolTrusted;
	}

	/**
	 * Sets the sources whose PROXY header is believed; empty (the default) trusts every source,
	 * which suits a server that only a load balancer can reach. From any other source, a
	 * required header closes the connection and an optional one is not read.
	 */
	public void setProxyProtocolTrusted(List<CidrRange> trusted) {
		this.proxyProtocolTrusted = List.copyOf(trusted);
	}

	public Duration getProxyProtocolTimeout() {
		return this.proxyProtocolTimeout;
	}

	/** Sets how long a client gets to send its PROXY header; 5 seconds by default. */
	public void setProxyProtocolTimeout(Duration timeout) {
		this.proxyProtocolTimeout = requirePositive("proxyProtocolTimeout", timeout);
	}

	/** Sets how long a client gets to complete its TLS handshake; 10 seconds by default. */
	public void setHandshakeTimeout(Duration handshakeTimeout) {
		this.handshakeTimeout = requirePositive("handshakeTimeout", handshakeTimeout);
	}

	private static Duration requirePositive(String name, Duration value) {
		if (value == null || value.isNegative() || value.isZero()) {
			throw new IllegalArgumentException(name + " must be positive, got " + value);
		}
		return value;
	}

}
