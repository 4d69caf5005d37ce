package dev.gserver;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;

import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.gserver.proxy.ProxyHeader;

/**
 * A TCP or Unix-socket client, as a {@link Handler} sees it: the accepted channel, and on a TLS
 * server, the TLS socket layered over it once the handshake is done.
 * <p>
 * Its deadlines: reads are bounded by the read timeout (the idle timeout unless the handler set
 * its own) and a codec's frame deadline, on the handler's thread ({@link ClientInput}); writes
 * are timed for the server's {@link Deadlines} watchdog ({@link ClientOutput}), which closes a
 * connection whose write stays blocked for the write timeout, or for the idle timeout with
 * nothing read meanwhile.
 */
public final class SocketConnection implements Connection, Client {

	private static final Logger logger = LoggerFactory.getLogger(SocketConnection.class);

	/** Sets {@link #closedFor} once: the first deadline to pass (or the first cut) is the one counted. */
	private static final AtomicReferenceFieldUpdater<SocketConnection, @Nullable String> CLOSED_FOR =
		AtomicReferenceFieldUpdater.newUpdater(SocketConnection.class, String.class, "closedFor");

	private final SocketChannel channel;

	private final Counters counters;

	private final ServerEventListener events;

	private volatile @Nullable SSLSocket tls;

	/**
	 * Why the server closed the connection: a deadline ({@code idle}, {@code write}), or a cut of
	 * its own ({@link #cut}); {@code null} while it has not.
	 */
	private volatile @Nullable String closedFor;

	/** The connection's place in its address's cap, once counted; released by {@link #close()}. */
	private volatile AddressLimit.@Nullable Slot addressSlot;

	/** The PROXY protocol header the connection started with, or {@code null}. */
	private volatile @Nullable ProxyHeader proxyHeader;

	/** Bytes read while looking for a PROXY header that was not there: the handler reads them first. */
	private byte @Nullable [] replay;

	private @Nullable InputStream in;

	/** The socket whose SO_TIMEOUT bounds reads; {@code null} for a Unix socket, which has none. */
	private final @Nullable Socket timeoutSocket;

	private volatile int readTimeoutMillis;

	private volatile long readDeadline;

	/** The server's frame timeout when this connection was accepted; zero on a Unix socket, whose reads cannot be bounded. */
	private final Duration frameTimeout;

	/**
	 * When the write in progress started or last moved, in {@link Deadlines#now()} terms; 0 while
	 * no write is in progress. Set by {@link ClientOutput} (and by a TLS close, which writes),
	 * read by the watchdog.
	 */
	volatile long writeSince;

	/** When a write last moved bytes to the socket; when the connection was accepted before that. */
	private volatile long lastWrite;

	/** When a read last brought bytes; when the connection was accepted before that. */
	private volatile long lastRead;

	/**
	 * When the TLS handshake in progress must be done by, in {@link Deadlines#now()} terms; 0 while
	 * none is in progress. The watchdog cuts a connection still handshaking then: a read timeout
	 * alone would let a client trickling its ClientHello hold the connection for ever.
	 */
	volatile long handshakeDeadline;

	private @Nullable OutputStream out;

	/** This connection's share of the server's input budget: closed with the connection. */
	private final InputBudget.Account inputAccount;

	private SocketConnection(SocketChannel channel, Counters counters, ServerEventListener events,
			int readTimeoutMillis, Duration frameTimeout, InputBudget inputBudget) {
		this.channel = channel;
		this.counters = counters;
		this.events = events;
		this.inputAccount = inputBudget.open(new BudgetOwner());
		this.timeoutSocket = (remoteAddress(channel) instanceof InetSocketAddress) ? channel.socket() : null;
		this.readTimeoutMillis = readTimeoutMillis;
		this.frameTimeout = (this.timeoutSocket != null) ? frameTimeout : Duration.ZERO;
		long now = Deadlines.now();
		this.lastWrite = now;
		this.lastRead = now;
	}

	/**
	 * Takes a channel just accepted: blocking, with {@code TCP_NODELAY} as asked and the idle
	 * timeout as its read timeout (a Unix socket has neither); closes it when that fails.
	 * @param idleTimeout how long a read may wait for the client; zero for ever
	 * @param frameTimeout what a {@link dev.gserver.codec.FrameReader} of the connection starts with
	 * @param inputBudget the server's, which the connection's codecs draw on
	 */
	static SocketConnection accepted(SocketChannel channel, boolean tcpNoDelay, Duration idleTimeout,
			Duration frameTimeout, Counters counters, ServerEventListener events, InputBudget inputBudget)
			throws IOException {
		try {
			channel.configureBlocking(true);
			int readTimeout = 0;
			if (channel.getRemoteAddress() instanceof InetSocketAddress) {
				if (tcpNoDelay) {
					channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
				}
				readTimeout = Durations.toSocketTimeout(idleTimeout);
				channel.socket().setSoTimeout(readTimeout);
			}
			return new SocketConnection(channel, counters, events, readTimeout, frameTimeout, inputBudget);
		}
		catch (IOException | RuntimeException ex) {
			channel.close();
			throw ex;
		}
	}

	/** The PROXY header was read: the connection's addresses are the ones it tells. */
	void proxyHeaderRead(ProxyHeader header) {
		byte[] consumed = header.getConsumed();
		this.replay = (consumed.length > 0) ? consumed : null;
		this.proxyHeader = header;
	}

	/** Takes the bytes read looking for a PROXY header that was not there: they belong to what follows. */
	byte @Nullable [] takeReplay() {
		byte[] consumed = this.replay;
		this.replay = null;
		return consumed;
	}

	/** The connection counts in its address's cap until it closes. */
	void admitted(AddressLimit.Slot slot) {
		this.addressSlot = slot;
	}

	/** The handshake succeeded: the connection's streams are TLS's from now on. */
	void secured(SSLSocket socket) {
		this.tls = socket;
	}

	/** Returns whether the server closed the connection for {@code reason}. */
	boolean wasClosedFor(String reason) {
		return reason.equals(this.closedFor);
	}

	/** The handshake outlived its deadline: the watchdog closes the connection under it. */
	void handshakeTimedOut() {
		cut(TlsFailures.TIMEOUT);
	}

	/**
	 * The client asked for a second handshake, which the JDK refused
	 * ({@code jdk.tls.rejectClientInitiatedRenegotiation}, see {@link TlsHandshake}): counted, and the
	 * connection closed, as by the server, so that the handler's failing read is no error of its own.
	 */
	void renegotiationRefused(IOException refusal) {
		if (CLOSED_FOR.compareAndSet(this, null, TlsFailures.RENEGOTIATION)) {
			logger.debug("{} refused a TLS renegotiation: {}", this, refusal.toString());
			this.events.tlsHandshakeFailed(TlsFailures.RENEGOTIATION);
			abort();
		}
	}

	/**
	 * Returns the PROXY protocol header the connection started with, or {@code null} when there
	 * was none; {@link #getChannel()} still tells the proxy's own address.
	 */
	public @Nullable ProxyHeader getProxyHeader() {
		ProxyHeader header = this.proxyHeader;
		return (header != null && header.isPresent()) ? header : null;
	}

	@Override
	public boolean isSecure() {
		return this.tls != null;
	}

	@Override
	public @Nullable SSLSession getSslSession() {
		SSLSocket socket = this.tls;
		return (socket != null) ? socket.getSession() : null;
	}

	@Override
	public InputStream getInputStream() throws IOException {
		if (this.in == null) {
			this.in = new ClientInput(rawInput(), this, this.timeoutSocket);
		}
		return this.in;
	}

	@Override
	public OutputStream getOutputStream() throws IOException {
		if (this.out == null) {
			this.out = new ClientOutput(rawOutput(), this);
		}
		return this.out;
	}

	/**
	 * The streams: TLS's when secure; the socket adaptor's for TCP (they honour the idle
	 * timeout); the channel's own for a Unix socket, which has no socket adaptor.
	 */
	private InputStream rawInput() throws IOException {
		SSLSocket socket = this.tls;
		if (socket != null) {
			return socket.getInputStream();
		}
		InputStream in = isUnix() ? Channels.newInputStream(this.channel) : this.channel.socket().getInputStream();
		byte[] consumed = this.replay;
		return (consumed != null) ? new SequenceInputStream(new ByteArrayInputStream(consumed), in) : in;
	}

	private OutputStream rawOutput() throws IOException {
		SSLSocket socket = this.tls;
		if (socket != null) {
			return socket.getOutputStream();
		}
		return isUnix() ? Channels.newOutputStream(this.channel) : this.channel.socket().getOutputStream();
	}

	private boolean isUnix() {
		return !(remoteAddress(this.channel) instanceof InetSocketAddress);
	}

	/** Returns the accepted channel (under TLS: the encrypted bytes). */
	public SocketChannel getChannel() {
		return this.channel;
	}

	/** Returns the client's address: the original client's when a PROXY protocol header told it. */
	@Override
	public @Nullable SocketAddress getRemoteAddress() {
		ProxyHeader header = this.proxyHeader;
		if (header != null && header.getSourceAddress() != null) {
			return header.getSourceAddress();
		}
		return remoteAddress(this.channel);
	}

	/** Returns the address the client connected to: the proxy's when a PROXY protocol header told it. */
	@Override
	public @Nullable SocketAddress getLocalAddress() {
		ProxyHeader header = this.proxyHeader;
		if (header != null && header.getDestinationAddress() != null) {
			return header.getDestinationAddress();
		}
		try {
			return this.channel.getLocalAddress();
		}
		catch (IOException ex) {
			return null;
		}
	}

	@Override
	public boolean isOpen() {
		return this.channel.isOpen();
	}

	/**
	 * Closes the connection, with a TLS close_notify first when it is secure: a write, which can
	 * block on a client that reads nothing, so that it is timed as writes are.
	 */
	@Override
	public void close() throws IOException {
		SSLSocket socket = this.tls;
		try {
			if (socket != null) {
				this.writeSince = Deadlines.now();
				socket.close();
			}
		}
		finally {
			this.writeSince = 0;
			this.inputAccount.close();
			try {
				this.channel.close();
			}
			finally {
				AddressLimit.Slot slot = this.addressSlot;
				if (slot != null) {
					slot.release();
				}
			}
		}
	}

	@Override
	public Duration getReadTimeout() {
		return Duration.ofMillis(this.readTimeoutMillis);
	}

	@Override
	public void setReadTimeout(Duration timeout) {
		if (this.timeoutSocket == null) {
			throw new UnsupportedOperationException("A Unix socket connection has no read timeout");
		}
		this.readTimeoutMillis = Durations.toSocketTimeout(Durations.requireNonNegative("readTimeout", timeout));
	}

	@Override
	public Duration getFrameTimeout() {
		return this.frameTimeout;
	}

	@Override
	public void setReadDeadline(long deadlineNanos) {
		this.readDeadline = deadlineNanos;
	}

	@Override
	public void frameRejected(String reason) {
		this.events.frameRejected(reason);
	}

	/**
	 * Waits for the input budget at most until the frame's deadline; without one, for the read
	 * timeout; without that either, for the default frame timeout: every wait is bounded.
	 */
	@Override
	public boolean reserveInput(long bytes) throws IOException {
		long deadline = this.readDeadline;
		if (deadline == 0) {
			int timeoutMillis = this.readTimeoutMillis;
			Duration wait = (timeoutMillis > 0) ? Duration.ofMillis(timeoutMillis) : StreamServer.DEFAULT_FRAME_TIMEOUT;
			deadline = System.nanoTime() + wait.toNanos();
		}
		return this.inputAccount.reserve(bytes, deadline);
	}

	@Override
	public void releaseInput(long bytes) {
		this.inputAccount.release(bytes);
	}

	int readTimeoutMillis() {
		return this.readTimeoutMillis;
	}

	long readDeadline() {
		return this.readDeadline;
	}

	/** Counts bytes read, and notes that the connection moved. */
	void received(int n) {
		this.counters.received.add(n);
		this.lastRead = Deadlines.now();
	}

	/** Counts bytes written, and notes that the connection moved; returns when. */
	long wrote(int n) {
		this.counters.sent.add(n);
		long now = Deadlines.now();
		this.lastWrite = now;
		return now;
	}

	long lastReadProgress() {
		return this.lastRead;
	}

	long lastWriteProgress() {
		return this.lastWrite;
	}

	/**
	 * A deadline passed: reports it, then closes the connection at once, from the handler's
	 * thread (a read) or the watchdog's (a write), so that the blocked call fails. Only the first
	 * deadline to pass counts.
	 * @param reason {@link ServerEventListener#TIMED_OUT_IDLE} or {@link ServerEventListener#TIMED_OUT_WRITE}
	 */
	void timedOut(String reason) {
		if (CLOSED_FOR.compareAndSet(this, null, reason)) {
			// reported before the close: whoever sees the connection closed can already see why
			this.events.connectionTimedOut(reason);
			abort();
		}
	}

	/**
	 * Closes the connection at once, from any thread, for a reason of the server's that is no
	 * deadline (a {@link ConnectionGroup} member too slow for its queue): not counted as a
	 * time-out, and the handler's failure that follows is no error, as after a deadline.
	 */
	void cut(String reason) {
		if (CLOSED_FOR.compareAndSet(this, null, reason)) {
			abort();
		}
	}

	/** Returns whether the server closed the connection: one of its deadlines, or a cut. */
	@Override
	public boolean wasClosedByServer() {
		return this.closedFor != null;
	}

	/** Closes the connection at once, from any thread: no close_notify that could block. */
	@Override
	public void abort() {
		// also wakes a read of this connection's waiting for input budget
		this.inputAccount.close();
		try {
			this.channel.close();
		}
		catch (IOException ex) {
			// closed either way
		}
	}

	/**
	 * Ends the input from any thread, leaving the output open: a blocked read returns the end of
	 * the stream (or fails, under TLS), while a reply being written still goes out.
	 */
	@Override
	public void endInput() {
		try {
			this.channel.shutdownInput();
		}
		catch (IOException ex) {
			// closed already: nothing more to read either way
		}
	}

	/** How the input budget sees this connection: refused, it is closed under its handler. */
	private final class BudgetOwner implements InputBudget.Owner {

		@Override
		public boolean isOpen() {
			return SocketConnection.this.isOpen();
		}

		@Override
		public void evicted() {
			logger.debug("Closing {}: it holds more than its share of the spent input budget", SocketConnection.this);
			frameRejected(InputBudget.REFUSED);
			cut(InputBudget.REFUSED);
		}

	}

	@Override
	public String toString() {
		return "Connection(" + getRemoteAddress() + (isSecure() ? ", tls" : "") + ")";
	}

	/** Returns the peer of {@code channel}, still known after it was closed. */
	static @Nullable SocketAddress remoteAddress(SocketChannel channel) {
		try {
			return channel.getRemoteAddress();
		}
		catch (IOException ex) {
			try {
				return channel.socket().getRemoteSocketAddress();
			}
			catch (UnsupportedOperationException unix) {
				return null;
			}
		}
	}

}
