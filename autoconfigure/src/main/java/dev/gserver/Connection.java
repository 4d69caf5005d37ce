package dev.gserver;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketAddress;

/**
 * One accepted client, as a {@link Handler} sees it: blocking streams and the two addresses.
 * <p>
 * The streams are not buffered: wrap them as the protocol needs. Closing either stream closes
 * the connection. A read blocked when the server kills the handler (see
 * {@link BaseServer#stop(java.time.Duration)}) fails with an {@link IOException}.
 */
public interface Connection extends Closeable {

	/** Returns the stream of bytes the client sends. */
	InputStream getInputStream() throws IOException;

	/** Returns the stream of bytes to the client. */
	OutputStream getOutputStream() throws IOException;

	/** Returns the client's address. */
	SocketAddress getRemoteAddress();

	/** Returns the local address the client connected to. */
	SocketAddress getLocalAddress();

	/** Returns whether the connection is encrypted with TLS. */
	default boolean isSecure() {
		return false;
	}

	/**
	 * Returns the TLS session (protocol, cipher suite, and for mutual TLS the client's
	 * certificates), or {@code null} when the connection is not secure.
	 */
	default javax.net.ssl.SSLSession getSslSession() {
		return null;
	}

	/** Returns whether the connection is still open. */
	boolean isOpen();

	/** Closes the connection; closing it again does nothing. */
	@Override
	void close() throws IOException;

}
