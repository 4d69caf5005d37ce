package dev.gserver;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.concurrent.TimeUnit;

/**
 * A socket's input whose reads must all end by one deadline, however the bytes are paced: each
 * read waits at most what is left of it ({@code SO_TIMEOUT} set to the remainder), and a read
 * past it fails with a {@link SocketTimeoutException}. {@code SO_TIMEOUT} alone restarts with
 * every byte, so a client sending one byte now and then would never time out.
 */
final class DeadlineInputStream extends InputStream {

	private final Socket socket;

	private final InputStream in;

	private final long deadlineNanos;

	/** @param deadlineNanos in {@link System#nanoTime()} terms */
	DeadlineInputStream(Socket socket, long deadlineNanos) throws IOException {
		this.socket = socket;
		this.in = socket.getInputStream();
		this.deadlineNanos = deadlineNanos;
	}

	@Override
	public int read() throws IOException {
		waitAtMostWhatIsLeft();
		return this.in.read();
	}

	@Override
	public int read(byte[] buffer, int offset, int length) throws IOException {
		waitAtMostWhatIsLeft();
		return this.in.read(buffer, offset, length);
	}

	private void waitAtMostWhatIsLeft() throws IOException {
		long left = this.deadlineNanos - System.nanoTime();
		if (left <= 0) {
			throw new SocketTimeoutException("deadline passed");
		}
		// at least 1 ms: 0 would mean no timeout at all
		this.socket.setSoTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE, TimeUnit.NANOSECONDS.toMillis(left))));
	}

}
