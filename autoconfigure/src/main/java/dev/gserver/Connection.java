package dev.gserver;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketAddress;
import java.time.Duration;

import org.jspecify.annotations.Nullable;

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

	/** Returns the client's address; {@code null} when the transport cannot tell it. */
	@Nullable SocketAddress getRemoteAddress();

	/** Returns the local address the client connected to; {@code null} when the transport cannot tell it. */
	@Nullable SocketAddress getLocalAddress();

	/** Returns whether the connection is encrypted with TLS. */
	default boolean isSecure() {
		return false;
	}

	/**
	 * Returns the TLS session (protocol, cipher suite, and for mutual TLS the client's
	 * certificates), or {@code null} when the connection is not secure.
	 */
	default javax.net.ssl.@Nullable SSLSession getSslSession() {
		return null;
	}

	/**
	 * Returns how long a read waits while the connection makes no progress either way before it
	 * is closed as idle: the server's idle timeout unless {@link #setReadTimeout(Duration)} changed
	 * it; zero waits for ever.
	 */
	default Duration getReadTimeout() {
		return Duration.ZERO;
	}

	/**
	 * Sets how long a read of this connection waits, overriding the server's idle timeout for
	 * reads: a read during which nothing arrives, and nothing goes out either (another thread of
	 * the handler writing), for this long fails with a {@link java.net.SocketTimeoutException},
	 * and the connection is closed as idle ({@code gserver.connections.timed.out{reason=idle}}).
	 * Zero waits for ever. Takes effect from the next read.
	 * @throws UnsupportedOperationException where the transport has no read timeout (a Unix socket)
	 */
	default void setReadTimeout(Duration timeout) {
		throw new UnsupportedOperationException(getClass().getSimpleName() + " has no read timeout");
	}

	/**
	 * Returns how long a frame may take from its first byte to its last: what a
	 * {@link dev.gserver.codec.FrameReader#of(Connection) FrameReader of this connection} starts
	 * with. The server's frame timeout (30 seconds unless configured); zero, no limit, where the
	 * transport cannot bound a read (a Unix socket).
	 */
	default Duration getFrameTimeout() {
		return Duration.ZERO;
	}

	/**
	 * Bounds every read from now on by a deadline, in {@link System#nanoTime()} terms, or clears
	 * it with 0: a read that would wait past it fails with a
	 * {@link java.net.SocketTimeoutException}, and the connection stays open for the handler to
	 * answer or close. What a codec uses to bound a whole frame; a transport without read
	 * timeouts ignores it.
	 */
	default void setReadDeadline(long deadlineNanos) {
	}

	/**
	 * Tells the server that a frame from this client was refused, for the
	 * {@code gserver.frames.rejected} meter; the codecs call it, and a parser of your own may.
	 * @param reason a few fixed words, such as {@code too-long} or {@code malformed}: a metric tag
	 */
	default void frameRejected(String reason) {
	}

	/**
	 * Asks the server's input budget ({@link InputBudget}) for {@code bytes} more, about to be
	 * allocated for a frame not yet complete; the codecs call it, and a parser of your own may.
	 * While the budget is spent it waits (its client's bytes wait in the kernel meanwhile), at
	 * most until the frame's deadline.
	 * @return whether they were granted; when not, refuse the frame: the client holds more than
	 * its share of the budget, or it stayed spent too long
	 * @throws IOException when the connection was closed while waiting
	 */
	default boolean reserveInput(long bytes) throws IOException {
		return true;
	}

	/** Gives back bytes {@link #reserveInput(long) reserved}, once the frame that held them is read or refused. */
	default void releaseInput(long bytes) {
	}

	/** Returns whether the connection is still open. */
	boolean isOpen();

	/** Closes the connection; closing it again does nothing. */
	@Override
	void close() throws IOException;

}
