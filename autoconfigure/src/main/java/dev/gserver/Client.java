package dev.gserver;

import java.io.IOException;
import java.net.SocketAddress;

import org.jspecify.annotations.Nullable;

/**
 * What a transport hands to a server for each client: a connection, or a datagram. The server
 * calls these methods through the client's life; a {@link Handler} sees a {@link Connection}.
 */
public interface Client {

	/** Returns the client's address, for log lines; {@code null} when the transport cannot tell it. */
	@Nullable SocketAddress getRemoteAddress();

	/** Closes the client when its handler ends; safe to call twice and from any thread. */
	void close() throws IOException;

	/** Closes the client at once when its handler is killed, while the handler may be blocked on it. */
	default void abort() {
		try {
			close();
		}
		catch (IOException ex) {
			// gone either way
		}
	}

	/**
	 * Ends the client's input when its handler outlives the stop timeout, so that a handler
	 * reading its next request sees the end of the stream while one writing can finish; nothing
	 * by default, which leaves the handler to be killed.
	 */
	default void endInput() {
	}

	/**
	 * Returns whether the server itself closed the client (an idle timeout), so that the
	 * handler's failure that followed is no error.
	 */
	default boolean wasClosedByServer() {
		return false;
	}

}
