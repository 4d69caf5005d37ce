package dev.gserver;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.nio.channels.SocketChannel;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;

/**
 * A TCP or Unix-socket client, as a {@link Handler} sees it: the accepted channel, and on a TLS
 * server, the TLS socket layered over it once the handshake is done.
 */
public final class SocketConnection implements Connection {

	private final SocketChannel channel;

	private final Traffic traffic;

	private volatile SSLSocket tls;

	private InputStream in;

	private OutputStream out;

	SocketConnection(SocketChannel channel, Traffic traffic) {
		this.channel = channel;
		this.traffic = traffic;
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
		SSLSocket socket = (SSLSocket) context.getSocketFactory()
			.createSocket(plain, (peer != null) ? peer.getHostString() : null, (peer != null) ? peer.getPort() : 0, true);
		socket.setUseClientMode(false);
		if (parameters != null) {
			socket.setSSLParameters(parameters);
		}
		this.tls = socket;
		int timeout = plain.getSoTimeout();
		socket.setSoTimeout(timeoutMillis);
		socket.startHandshake();
		socket.setSoTimeout(timeout);
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
			this.in = this.traffic.counting(socket().getInputStream());
		}
		return this.in;
	}

	@Override
	public OutputStream getOutputStream() throws IOException {
		if (this.out == null) {
			this.out = this.traffic.counting(socket().getOutputStream());
		}
		return this.out;
	}

	private Socket socket() {
		SSLSocket socket = this.tls;
		return (socket != null) ? socket : this.channel.socket();
	}

	/** Returns the accepted channel (under TLS: the encrypted bytes). */
	public SocketChannel getChannel() {
		return this.channel;
	}

	@Override
	public SocketAddress getRemoteAddress() {
		return remoteAddress(this.channel);
	}

	@Override
	public SocketAddress getLocalAddress() {
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

	/** Closes the connection at once, from any thread: no close_notify that could block. */
	void abort() {
		try {
			this.channel.close();
		}
		catch (IOException ex) {
			// closed either way
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
			return channel.socket().getRemoteSocketAddress();
		}
	}

}
