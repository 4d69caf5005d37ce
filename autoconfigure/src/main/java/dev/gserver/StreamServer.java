package dev.gserver;

import java.io.IOException;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SelectableChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

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
public class StreamServer extends StreamSettings {

	/**
	 * The listen backlog unless set: the system's own limit ({@code net.core.somaxconn} on Linux,
	 * 4096 since Linux 5.4), as Netty takes it, or redis's 511 where it cannot be read. gevent's 128
	 * overflows at the first burst: connections beyond it wait a SYN retry (a second) before they
	 * are even queued (docs/performance.md, Bursts).
	 */
	public static final int DEFAULT_BACKLOG = Listeners.systemBacklog(511);

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

	/** The watchdog of blocked writes, started and stopped with the server. */
	private final Deadlines deadlines = new Deadlines(this);

	private final InputBudget inputBudget = new InputBudget(InputBudget.DEFAULT_LIMIT);

	/** Set when the server bound a Unix socket file: it removes the file when it closes. */
	private volatile @Nullable UnixSocketFile socketFile;

	/** Serves on a gevent address string, such as {@code "127.0.0.1:7000"}, {@code ":7000"} or {@code "[::1]:0"}. */
	public StreamServer(String address, @Nullable Handler handler) {
		this(address, handler, Spawn.DEFAULT);
	}

	public StreamServer(String address, @Nullable Handler handler, Spawn spawn) {
		super(address, handler, spawn);
	}

	public StreamServer(SocketAddress address, @Nullable Handler handler) {
		this(address, handler, Spawn.DEFAULT);
	}

	public StreamServer(SocketAddress address, @Nullable Handler handler, Spawn spawn) {
		super(address, handler, spawn);
	}

	/**
	 * Serves on a channel the caller already bound (and that is then taken as is: no backlog may
	 * be set). Stopping the server closes it.
	 */
	public StreamServer(ServerSocketChannel listener, @Nullable Handler handler) {
		this(listener, handler, Spawn.DEFAULT);
	}

	public StreamServer(ServerSocketChannel listener, @Nullable Handler handler, Spawn spawn) {
		super(listener, handler, spawn);
	}

	/**
	 * Returns a server on the listening socket this JVM inherited on its standard input, from
	 * inetd or from systemd socket activation ({@code StandardInput=socket}), as gevent serves a
	 * pre-bound socket.
	 * @throws IllegalStateException when no listening socket was inherited
	 */
	public static StreamServer inherited(@Nullable Handler handler, Spawn spawn) throws IOException {
		return new StreamServer(Listeners.inherited(), handler, spawn);
	}

	/** Serves on a channel the caller already bound; see {@link #StreamServer(ServerSocketChannel, Handler)}. */
	public void setListener(ServerSocketChannel listener) {
		requireNoBacklog(isBacklogSet());
		setListenerChannel(listener);
	}

	/**
	 * Returns the budget of bytes its clients' codecs may hold for frames not yet complete, all
	 * clients together: a quarter of the heap unless its limit is set ({@link InputBudget#setLimit(long)}).
	 */
	public InputBudget getInputBudget() {
		return this.inputBudget;
	}

	@Override
	protected SelectableChannel initSocket() throws IOException {
		SocketAddress address = getAddress();
		if (!(address instanceof UnixDomainSocketAddress)) {
			return Listeners.bindStream(address, getBacklog(), isReuseAddress(), isReusePort());
		}
		if (isSecure() || getProxyProtocol().getMode() != ProxyProtocolMode.OFF) {
			throw new IllegalStateException((isSecure() ? "TLS" : "The PROXY protocol") + " needs a TCP listener, not"
					+ " the Unix socket " + Addresses.format(address) + ": a Unix socket is local, so turn it off or listen on TCP");
		}
		UnixSocketFile file = UnixSocketFile.claim((UnixDomainSocketAddress) address);
		ServerSocketChannel channel = Listeners.bindStream(address, getBacklog(), false, false);
		this.socketFile = file;
		return channel;
	}

	@Override
	protected @Nullable SocketConnection doRead() throws IOException {
		SocketChannel client = ((ServerSocketChannel) requireListener()).accept();
		return (client != null)
				? SocketConnection.accepted(client, isTcpNoDelay(), getIdleTimeout(), getFrameTimeout(), getCounters(),
						getEvents(), this.inputBudget)
				: null;
	}

	/**
	 * Reads the PROXY protocol header, checks the cap per client address, then runs the TLS
	 * handshake, on the handler's thread, as configured.
	 */
	@Override
	protected boolean prepare(SocketConnection client) {
		return Preparation.prepare(client, getProxyProtocol(), addressLimit(), tlsHandshake(), getEvents());
	}

	/** Returns how many connections were closed unhandled because their address had {@link #getMaxConnectionsPerAddress()} open. */
	public long getRejectedPerAddressCount() {
		return getCounters().rejectedPerAddress.sum();
	}

	@Override
	protected void handle(SocketConnection client) throws Exception {
		// start refuses a server without one; a handle set to null afterwards fails here, as it did
		Objects.requireNonNull(getHandle(), "handle").handle(client);
	}

	@Override
	void startTransport(String threadPrefix) {
		PollerWarmUp.ensureStarted();
		this.deadlines.start(threadPrefix + "-deadlines");
	}

	/** Lets the watchdog end with the last handler, and removes the Unix socket file this server created. */
	@Override
	void closeTransport() {
		this.deadlines.serverClosed();
		UnixSocketFile file = this.socketFile;
		if (file != null) {
			this.socketFile = null;
			file.delete();
		}
	}

	@Override
	void stopTransport() {
		this.deadlines.stop(TaskGroup.KILL_TIMEOUT);
	}

	@Override
	void timeoutsChanged() {
		this.deadlines.wakeUp();
	}

	@Override
	void clientEnded() {
		this.deadlines.handlerEnded();
	}

}
