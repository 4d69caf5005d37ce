package dev.gserver;

import java.io.IOException;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SelectableChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Objects;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

import dev.gserver.proxy.ProxyProtocol;
import dev.gserver.proxy.ProxyProtocolMode;

/**
 * A TCP server: gevent's {@code StreamServer}. Each accepted connection is handed to a
 * {@link Handler} on its own thread (see {@link Spawn}). It also listens on Unix sockets, serves
 * TLS and reads PROXY protocol headers.
 *
 * <pre>{@code
 * StreamServer server = new StreamServer("127.0.0.1:7000", connection -> {
 *     connection.getInputStream().transferTo(connection.getOutputStream());
 * });
 * server.serveForever();
 * }</pre>
 */
public class StreamServer extends BaseServer<SocketConnection, Handler> {

	/** The listen backlog unless set: gevent's {@code backlog = 128}. */
	public static final int DEFAULT_BACKLOG = 128;

	/**
	 * The write timeout unless set: nginx's {@code send_timeout}, which has the same meaning (a
	 * limit between two successive writes, not on a whole reply). Long enough for a client that
	 * pauses (a GC, a slow consumer) to catch up, short enough that one that never reads frees its
	 * handler and buffers within a minute.
	 */
	public static final Duration DEFAULT_WRITE_TIMEOUT = Duration.ofSeconds(60);

	/**
	 * The frame timeout unless set. The readers' default limits (an 8 KiB line, a 1 MiB frame)
	 * then ask a client for 270 bytes/s, or 35 KiB/s for the largest frame: any real client, but
	 * not a slow-loris one. Apache's mod_reqtimeout gives a request header 20 to 40 seconds.
	 */
	public static final Duration DEFAULT_FRAME_TIMEOUT = Duration.ofSeconds(30);

	private Integer backlog;

	private boolean reusePort;

	private volatile boolean tcpNoDelay = true;

	private volatile Duration idleTimeout = Duration.ZERO;

	private volatile Duration writeTimeout = DEFAULT_WRITE_TIMEOUT;

	private volatile Duration frameTimeout = DEFAULT_FRAME_TIMEOUT;

	/** The watchdog of blocked writes, started and stopped with the server. */
	private final Deadlines deadlines = new Deadlines(this);

	private volatile TlsHandshake tls = TlsHandshake.NONE;

	private volatile ProxyProtocol proxyProtocol = ProxyProtocol.OFF;

	/** Set when the server bound a Unix socket file: it removes the file when it closes. */
	private volatile UnixSocketFile socketFile;

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
		super(listener, handler, spawn);
	}

	/**
	 * Returns a server on the listening socket this JVM inherited on its standard input, from
	 * inetd or from systemd socket activation ({@code StandardInput=socket}), as gevent serves a
	 * pre-bound socket.
	 * @throws IllegalStateException when no listening socket was inherited
	 */
	public static StreamServer inherited(Handler handler, Spawn spawn) throws IOException {
		return new StreamServer(Listeners.inherited(), handler, spawn);
	}

	/** Serves on a channel the caller already bound; see {@link #StreamServer(ServerSocketChannel, Handler)}. */
	public void setListener(ServerSocketChannel listener) {
		requireNoBacklog(this.backlog != null);
		setListenerChannel(listener);
	}

	@Override
	protected SelectableChannel initSocket() throws IOException {
		SocketAddress address = getAddress();
		if (!(address instanceof UnixDomainSocketAddress)) {
			return Listeners.bindStream(address, getBacklog(), isReuseAddress(), this.reusePort);
		}
		if (isSecure() || this.proxyProtocol.getMode() != ProxyProtocolMode.OFF) {
			throw new IllegalStateException((isSecure() ? "TLS" : "The PROXY protocol") + " needs a TCP listener, not"
					+ " the Unix socket " + Addresses.format(address) + ": a Unix socket is local, so turn it off or listen on TCP");
		}
		UnixSocketFile file = UnixSocketFile.claim((UnixDomainSocketAddress) address);
		ServerSocketChannel channel = Listeners.bindStream(address, getBacklog(), false, false);
		this.socketFile = file;
		return channel;
	}

	@Override
	protected SocketConnection doRead() throws IOException {
		SocketChannel client = ((ServerSocketChannel) getListener()).accept();
		return (client != null)
				? SocketConnection.accepted(client, this.tcpNoDelay, this.idleTimeout, this.frameTimeout, getCounters(),
						getEvents())
				: null;
	}

	/** Reads the PROXY protocol header, then runs the TLS handshake, on the handler's thread, as configured. */
	@Override
	protected boolean prepare(SocketConnection client) {
		return client.prepare(this.proxyProtocol, this.tls);
	}

	@Override
	protected void handle(SocketConnection client) throws Exception {
		getHandle().handle(client);
	}

	@Override
	void startTransport(String threadPrefix) {
		this.deadlines.start(threadPrefix + "-deadlines");
	}

	@Override
	void closeTransport() {
		this.deadlines.serverClosed();
	}

	@Override
	void stopTransport() {
		this.deadlines.stop(TaskGroup.KILL_TIMEOUT);
	}

	@Override
	void clientEnded() {
		this.deadlines.handlerEnded();
	}

	/** Removes the Unix socket file this server created. */
	@Override
	protected void closedListener() {
		UnixSocketFile file = this.socketFile;
		if (file != null) {
			this.socketFile = null;
			file.delete();
		}
	}

	public int getBacklog() {
		return (this.backlog != null) ? this.backlog : DEFAULT_BACKLOG;
	}

	/**
	 * Sets how many connections the kernel queues before they are accepted; 128 by default.
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
		this.deadlines.wakeUp();
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
		this.deadlines.wakeUp();
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

	public SSLContext getSslContext() {
		return this.tls.getContext();
	}

	/**
	 * Serves TLS: each accepted connection runs a server-side handshake with this context on its
	 * handler's thread before the handler sees it. May change while the server runs (a reloaded
	 * certificate); new connections use the new context. {@code null} serves plaintext.
	 */
	public void setSslContext(SSLContext sslContext) {
		this.tls = this.tls.withContext(sslContext);
	}

	public SSLParameters getSslParameters() {
		return this.tls.getParameters();
	}

	/** Sets the TLS parameters of each connection: protocols, cipher suites, client authentication. */
	public void setSslParameters(SSLParameters sslParameters) {
		this.tls = this.tls.withParameters(sslParameters);
	}

	public Duration getHandshakeTimeout() {
		return this.tls.getTimeout();
	}

	/** Sets how long a client gets to complete its TLS handshake; 10 seconds by default. */
	public void setHandshakeTimeout(Duration handshakeTimeout) {
		this.tls = this.tls.withTimeout(handshakeTimeout);
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

	/** gevent's rule: a listener the caller bound comes with its own backlog. */
	private static void requireNoBacklog(boolean conflict) {
		if (conflict) {
			throw new IllegalArgumentException("backlog must not be set when a bound ServerSocketChannel is given");
		}
	}

}
