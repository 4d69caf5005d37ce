package dev.gserver.test;

import java.io.IOException;
import java.time.Duration;

import org.jspecify.annotations.Nullable;

/**
 * What a {@link GServerTestClient} talks through: a socket, or an {@link EmbeddedConnection}'s
 * pipes. Reads and writes take a deadline in {@link System#nanoTime()} terms (0 for none) and
 * fail with a {@link java.net.SocketTimeoutException} past it.
 */
interface ClientTransport {

	/** Reads at least one byte, or returns -1 at the end of stream. */
	int read(byte[] bytes, int offset, int length, long deadline) throws IOException;

	void write(byte[] bytes, int offset, int length, long deadline) throws IOException;

	/** Ends what the client sends: the server reads the end of stream. */
	void shutdownOutput() throws IOException;

	/**
	 * Closes the client's side; an in-memory handler is given {@code timeout} to end, and its
	 * failure is thrown as an {@link AssertionError}.
	 */
	void close(Duration timeout) throws IOException;

	/** Names the other end in messages: an address, or the in-memory handler. */
	String describe();

	/** Returns why the other end failed, when it is known: an in-memory handler's exception; else null. */
	default @Nullable Throwable failure() {
		return null;
	}

}
