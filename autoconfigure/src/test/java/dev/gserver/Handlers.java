package dev.gserver;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/** Handlers shared by the tests of both packages. */
public final class Handlers {

	private Handlers() {
	}

	/** Echoes each line back until the client closes. */
	public static void echoLines(Connection connection) throws Exception {
		InputStream in = connection.getInputStream();
		OutputStream out = connection.getOutputStream();
		String line;
		while ((line = Clients.readLine(in)) != null) {
			out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
			out.flush();
		}
	}

	/** Answers "PONG" at once and returns. */
	public static void pong(Connection connection) throws Exception {
		connection.getOutputStream().write("PONG".getBytes(StandardCharsets.US_ASCII));
	}

}
