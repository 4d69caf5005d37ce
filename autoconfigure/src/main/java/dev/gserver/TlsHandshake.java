package dev.gserver;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.Objects;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

import org.jspecify.annotations.Nullable;

/**
 * How a TLS server secures each connection: the context, the parameters, and how long a client
 * gets to complete its handshake. Immutable; a server swaps the whole value, so that a reloaded
 * certificate applies to new connections only.
 */
final class TlsHandshake {

	/** Plaintext: no context. */
	static final TlsHandshake NONE = new TlsHandshake(null, null, Duration.ofSeconds(10));

	private final @Nullable SSLContext context;

	private final @Nullable SSLParameters parameters;

	private final Duration timeout;

	private TlsHandshake(@Nullable SSLContext context, @Nullable SSLParameters parameters, Duration timeout) {
		this.context = context;
		this.parameters = parameters;
		this.timeout = timeout;
	}

	@Nullable SSLContext getContext() {
		return this.context;
	}

	@Nullable SSLParameters getParameters() {
		return this.parameters;
	}

	Duration getTimeout() {
		return this.timeout;
	}

	boolean isEnabled() {
		return this.context != null;
	}

	TlsHandshake withContext(@Nullable SSLContext context) {
		return new TlsHandshake(context, this.parameters, this.timeout);
	}

	TlsHandshake withParameters(@Nullable SSLParameters parameters) {
		return new TlsHandshake(this.context, parameters, this.timeout);
	}

	TlsHandshake withTimeout(Duration timeout) {
		return new TlsHandshake(this.context, this.parameters, Durations.requirePositive("handshakeTimeout", timeout));
	}

	/**
	 * Runs the server side of a handshake over {@code plain} on the calling thread, within the
	 * timeout; the socket's own read timeout applies again afterwards.
	 * @param consumed bytes already read from {@code plain} (looking for a PROXY header), which
	 * belong to the handshake; or {@code null}
	 * @param client the client's address (the one a PROXY header told), for the TLS session
	 * @return the TLS socket, whose streams carry plaintext
	 * @throws IOException when the handshake fails or times out
	 */
	SSLSocket handshake(Socket plain, byte @Nullable [] consumed, @Nullable SocketAddress client) throws IOException {
		InetSocketAddress peer = (client instanceof InetSocketAddress) ? (InetSocketAddress) client : null;
		// called only when enabled, that is, with a context
		SSLContext context = Objects.requireNonNull(this.context, "context");
		SSLSocket socket = (SSLSocket) ((consumed != null)
				? context.getSocketFactory().createSocket(plain, new ByteArrayInputStream(consumed), true)
				: context.getSocketFactory().createSocket(plain, (peer != null) ? peer.getHostString() : null,
						(peer != null) ? peer.getPort() : 0, true));
		socket.setUseClientMode(false);
		if (this.parameters != null) {
			socket.setSSLParameters(this.parameters);
		}
		int timeout = plain.getSoTimeout();
		socket.setSoTimeout(Durations.toSocketTimeout(this.timeout));
		socket.startHandshake();
		socket.setSoTimeout(timeout);
		return socket;
	}

}
