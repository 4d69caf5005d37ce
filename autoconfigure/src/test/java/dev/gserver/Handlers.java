package dev.gserver;

import java.io.InputStream;
import java.io.OutputStream;

/** Handlers shared by the tests. */
final class Handlers {

	private Handlers() {
	}

	/** Echoes each line back until the client closes. */
	static void echoLines(Connection connection) throws Exception {
		InputStream in = connection.getInputStream();
		OutputStream out = connection.getOutputStream();
		String line;
		while ((line = Clients.readLine(in)) != null) {
			out.write((line + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
			out.flush();
		}
	}

	/** Answers "PONG" at once and returns. */
	static void pong(Connection connection) throws Exception {
		connection.getOutputStream().write("PONG".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
	}

}
