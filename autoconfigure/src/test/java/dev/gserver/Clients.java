package dev.gserver;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/** Blocking test clients on 127.0.0.1, every operation bounded in time; shared by both test packages. */
public final class Clients {

	/** How long a client waits for something that should happen. */
	public static final int PATIENCE_MILLIS = 10_000;

	/** How long a client waits to conclude that nothing happens (a negative check). */
	public static final int SILENCE_MILLIS = 300;

	private Clients() {
	}

	public static Socket connect(int port) throws IOException {
		Socket socket = new Socket();
		socket.connect(new InetSocketAddress("127.0.0.1", port), PATIENCE_MILLIS);
		socket.setSoTimeout(PATIENCE_MILLIS);
		return socket;
	}

	/**
	 * Connects and waits until the server closes the connection: a trigger for tests that assert
	 * on what the server did. A reset counts as closed, since a listener closed while the
	 * connection waited in its backlog resets it.
	 */
	public static void poke(int port) throws IOException {
		try (Socket socket = connect(port)) {
			isClosedWithoutData(socket);
		}
		catch (java.net.SocketException ex) {
			if (ex.getMessage() == null || !ex.getMessage().contains("reset")) {
				throw ex;
			}
		}
	}

	/** Returns whether connecting is refused: nothing listens. */
	public static boolean isRefused(int port) throws IOException {
		try (Socket socket = connect(port)) {
			return false;
		}
		catch (ConnectException ex) {
			return true;
		}
	}

	/** Sends {@code request}, reads the answer until the server closes, and returns it. */
	public static String request(int port, String request) throws IOException {
		try (Socket socket = connect(port)) {
			OutputStream out = socket.getOutputStream();
			out.write(request.getBytes(StandardCharsets.UTF_8));
			out.flush();
			return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		}
	}

	/** Sends a line and reads one line back. */
	public static String echoLine(Socket socket, String line) throws IOException {
		socket.getOutputStream().write((line + "\n").getBytes(StandardCharsets.UTF_8));
		return readLine(socket.getInputStream());
	}

	public static String readLine(InputStream in) throws IOException {
		StringBuilder line = new StringBuilder();
		int b;
		while ((b = in.read()) != -1 && b != '\n') {
			line.append((char) b);
		}
		return (b == -1 && line.length() == 0) ? null : line.toString();
	}

	/** Returns whether the server closed {@code socket} without sending anything: EOF, or a reset. */
	public static boolean isClosedWithoutData(Socket socket) throws IOException {
		try {
			return socket.getInputStream().read() == -1;
		}
		catch (java.net.SocketException ex) {
			return ex.getMessage() != null && ex.getMessage().contains("reset");
		}
	}

	/**
	 * Returns whether the server sends nothing on {@code socket} for {@link #SILENCE_MILLIS}:
	 * the connection sits in the backlog, not accepted.
	 */
	public static boolean isSilent(Socket socket) throws IOException {
		int timeout = socket.getSoTimeout();
		socket.setSoTimeout(SILENCE_MILLIS);
		try {
			return socket.getInputStream().read() == -2;
		}
		catch (SocketTimeoutException ex) {
			return true;
		}
		finally {
			socket.setSoTimeout(timeout);
		}
	}

	/** Reads until the server closes {@code socket} (EOF or reset) and returns what it sent. */
	public static byte[] readUntilClosed(Socket socket) throws IOException {
		InputStream in = socket.getInputStream();
		java.io.ByteArrayOutputStream received = new java.io.ByteArrayOutputStream();
		byte[] buffer = new byte[1024];
		try {
			int n;
			while ((n = in.read(buffer)) != -1) {
				received.write(buffer, 0, n);
			}
		}
		catch (java.net.SocketException ex) {
			if (ex.getMessage() == null || !ex.getMessage().contains("reset")) {
				throw ex;
			}
		}
		return received.toByteArray();
	}

	/** Joins {@code threads} within {@code timeout} in all, failing the test for one still running. */
	public static void joinAll(java.util.Collection<Thread> threads, java.time.Duration timeout)
			throws InterruptedException {
		long deadline = System.nanoTime() + timeout.toNanos();
		for (Thread thread : threads) {
			long left = java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
			if (left > 0) {
				thread.join(left);
			}
			org.assertj.core.api.Assertions.assertThat(thread.isAlive())
				.as("%s still running after %s", thread.getName(), timeout)
				.isFalse();
		}
	}

}
