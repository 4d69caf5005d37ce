package dev.gserver;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;

import dev.gserver.proxy.ProxyHeader;
import dev.gserver.proxy.ProxyProtocolException;

/**
 * A TCP or Unix-socket client, as a {@link Handler} sees it: the accepted channel, and on a TLS
 * server, the TLS socket layered over it once the handshake is done.
 */
public final class SocketConnection implements Connection {

	private final SocketChannel channel;

	private final Traffic traffic;

	private final Runnable idleClosed;

	private volatile SSLSocket tls;

	private volatile boolean closedIdle;

	/** The PROXY protocol header the connection started with, or {@code null}. */
	private volatile ProxyHeader proxyHeader;

	/** Bytes read while looking for a PROXY header that was not there: the handler reads them first. */
	private byte[] replay;

	private InputStream in;

	private OutputStream out;

	/**
	 * @param idleClosed reports that a read timed out (an idle timeout): the connection is then
	 * closed, and the read fails with a {@link java.net.SocketTimeoutException}
	 */
	SocketConnection(SocketChannel channel, Traffic traffic, Runnable idleClosed) {
		this.channel = channel;
		this.traffic = traffic;
		this.idleClosed = idleClosed;
	}

	/**
	 * Reads the PROXY protocol header the connection starts with, if any, within
	 * {@code timeoutMillis}; from then on the connection's addresses are the header's.
	 * @throws ProxyProtocolException when the header is malformed
	 * @throws IOException when the client is too slow or closes in the middle of the header
	 */
	ProxyHeader readProxyHeader(int timeoutMillis) throws IOException {
		Socket plain = this.channel.socket();
		int timeout = plain.getSoTimeout();
		plain.setSoTimeout(timeoutMillis);
		ProxyHeader header;
		try {
			header = ProxyHeader.read(plain.getInputStream());
		}
		finally {
			plain.setSoTimeout(timeout);
		}
		byte[] consumed = header.getConsumed();
		this.replay = (consumed.length > 0) ? consumed : null;
		this.proxyHeader = header;
		return header;
	}

	/**
	 * Returns the PROXY protocol header the connection started with, or {@code null} when there
	 * was none; {@link #getChannel()} still tells the proxy's own address.
	 */
	public ProxyHeader getProxyHeader() {
		ProxyHeader header = this.proxyHeader;
		return (header != null && header.isPresent()) ? header : null;
	}

	/**
	 * Runs the server side of a TLS handshake over the connection, on the calling thread, within
	 * {@code timeoutMillis}; from then on the streams carry plaintext.
	 * @throws IOException when the handshake fails or times out
	 */
	void secure(SSLContext context, SSLParameters parameters, int timeoutMillis) throws IOException {
		Socket plain = this.channel.socket();
		InetSocketAddress peer = (getRemoteAddress() instanceof InetSocketAddress)
				? (InetSocketAddress) getRemoteAddress() : null;
		byte[] consumed = this.replay;
		this.replay = null;
		// bytes read while looking for a PROXY header belong to the handshake
		SSLSocket socket = (SSLSocket) ((consumed != null)
				? context.getSocketFactory().createSocket(plain, new ByteArrayInputStream(consumed), true)
				: context.getSocketFactory()
					.createSocket(plain, (peer != null) ? peer.getHostString() : null, (peer != null) ? peer.getPort() : 0, true));
		socket.setUseClientMode(false);
		if (parameters != null) {
			socket.setSSLParameters(parameters);
		}
		int timeout = plain.getSoTimeout();
		socket.setSoTimeout(timeoutMillis);
		socket.startHandshake();
		socket.setSoTimeout(timeout);
		// secure only once the handshake succeeded
		this.tls = socket;
	}

	@Override
	public boolean isSecure() {
		return this.tls != null;
	}

	@Override
	public SSLSession getSslSession() {
		SSLSocket socket = this.tls;
		return (socket != null) ? socket.getSession() : null;
	}

	@Override
	public InputStream getInputStream() throws IOException {
		if (this.in == null) {
			this.in = this.traffic.counting(rawInput(), this::closeIdle);
		}
		return this.in;
	}

	@Override
	public OutputStream getOutputStream() throws IOException {
		if (this.out == null) {
			this.out = this.traffic.counting(rawOutput());
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
	public SocketAddress getRemoteAddress() {
		ProxyHeader header = this.proxyHeader;
		if (header != null && header.getSourceAddress() != null) {
			return header.getSourceAddress();
		}
		return remoteAddress(this.channel);
	}

	/** Returns the address the client connected to: the proxy's when a PROXY protocol header told it. */
	@Override
	public SocketAddress getLocalAddress() {
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

	/** Closes the connection, with a TLS close_notify first when it is secure. */
	@Override
	public void close() throws IOException {
		SSLSocket socket = this.tls;
		try {
			if (socket != null) {
				socket.close();
			}
		}
		finally {
			this.channel.close();
		}
	}

	private void closeIdle() {
		this.closedIdle = true;
		this.idleClosed.run();
		abort();
	}

	boolean wasClosedIdle() {
		return this.closedIdle;
	}

	/** Closes the connection at once, from any thread: no close_notify that could block. */
	void abort() {
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
	void endInput() {
		try {
			this.channel.shutdownInput();
		}
		catch (IOException ex) {
			// closed already: nothing more to read either way
		}
	}

	@Override
	public String toString() {
		return "Connection(" + getRemoteAddress() + (isSecure() ? ", tls" : "") + ")";
	}

	/** Returns the peer of {@code channel}, still known after it was closed. */
	static SocketAddress remoteAddress(SocketChannel channel) {
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
