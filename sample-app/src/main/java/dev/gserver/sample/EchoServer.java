package dev.gserver.sample;

import java.io.IOException;

import dev.gserver.StreamServer;

/**
 * Echoes every byte back to its sender, one virtual thread per client. Listens on port 7000,
 * or on the address given as the first argument ({@code "127.0.0.1:7000"}, {@code ":0"}, ...);
 * stops gracefully on Ctrl-C or SIGTERM.
 */
public final class EchoServer {

	private EchoServer() {
	}

	public static void main(String[] args) throws IOException {
		String address = (args.length > 0) ? args[0] : ":7000";
		StreamServer server = new StreamServer(address,
				(connection) -> connection.getInputStream().transferTo(connection.getOutputStream()));
		server.setName("echo");
		server.serveForever();
	}

}
