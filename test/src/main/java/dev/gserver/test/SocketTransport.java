package dev.gserver.test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;

/**
 * A {@link GServerTestClient}'s TCP socket. A read's deadline becomes the socket's read timeout,
 * set again before each read to what is left of it, so that an expectation waits at most its
 * timeout in all, however many reads it takes. Writes have no deadline: a socket has no write
 * timeout, and a test sends little.
 */
final class SocketTransport implements ClientTransport {

	private final Socket socket;

	private final InputStream in;

	private final OutputStream out;

	SocketTransport(Socket socket) throws IOException {
		this.socket = socket;
		this.in = socket.getInputStream();
		this.out = socket.getOutputStream();
	}

	@Override
	public int read(byte[] bytes, int offset, int length, long deadline) throws IOException {
		int timeout = 0;
		if (deadline != 0) {
			long left = deadline - System.nanoTime();
			if (left <= 0) {
				throw new SocketTimeoutException("Read timed out");
			}
			// rounded up: 0 would mean no timeout at all
			timeout = (int) Math.min(Integer.MAX_VALUE, Math.max(1, (left + 999_999) / 1_000_000));
		}
		this.socket.setSoTimeout(timeout);
		return this.in.read(bytes, offset, length);
	}

	@Override
	public void write(byte[] bytes, int offset, int length, long deadline) throws IOException {
		this.out.write(bytes, offset, length);
	}

	@Override
	public void shutdownOutput() throws IOException {
		this.socket.shutdownOutput();
	}

	@Override
	public void close(Duration timeout) throws IOException {
		this.socket.close();
	}

	@Override
	public String describe() {
		return "the server at " + this.socket.getInetAddress().getHostAddress() + ":" + this.socket.getPort();
	}

}
