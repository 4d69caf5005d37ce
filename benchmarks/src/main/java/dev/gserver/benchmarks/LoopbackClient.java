package dev.gserver.benchmarks;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;

/**
 * The client side of one connection, the same for every server a benchmark compares: connect,
 * then read until the server closes.
 */
final class LoopbackClient {

	/** Bounds a broken server to a failed iteration instead of a hung run; never reached when it works. */
	private static final int TIMEOUT_MILLIS = 5_000;

	private LoopbackClient() {
	}

	/**
	 * Connects to {@code address} and reads the end of the stream: the server accepted the
	 * connection, ran its handler, and closed it.
	 * @return -1, for the benchmark to consume
	 * @throws IllegalStateException when the server sent a byte instead of closing
	 */
	static int connectAndReadEof(InetSocketAddress address) throws IOException {
		try (Socket socket = new Socket()) {
			socket.connect(address, TIMEOUT_MILLIS);
			socket.setSoTimeout(TIMEOUT_MILLIS);
			int first = socket.getInputStream().read();
			if (first != -1) {
				throw new IllegalStateException("Expected " + address + " to close the connection, it sent " + first);
			}
			return first;
		}
	}

}
