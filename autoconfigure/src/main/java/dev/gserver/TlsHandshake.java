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
 * <p>
 * Loading this class turns on the JDK's {@value #REJECT_RENEGOTIATION} unless the JVM was given a
 * value: a TLS 1.2 client could otherwise make one connection run handshake after handshake, each
 * costing the server milliseconds of CPU, past {@code max-connections} and the accept back-off, as
 * OpenSSL-based servers (redis, nginx) refuse. The JDK reads the property once, at the first
 * server-side handshake in the JVM, which a gserver server precedes by creating this class.
 */
final class TlsHandshake {

	static final String REJECT_RENEGOTIATION = "jdk.tls.rejectClientInitiatedRenegotiation";

	static {
		if (System.getProperty(REJECT_RENEGOTIATION) == null) {
			System.setProperty(REJECT_RENEGOTIATION, "true");
		}
	}

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
	 * Runs the server side of a handshake over {@code plain} on the calling thread; each read
	 * waits the timeout at most, and the server's watchdog ({@link Deadlines}) ends a handshake
	 * still running after it. The socket's own read timeout applies again afterwards.
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
