package dev.gserver;

import java.net.Socket;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(30)
class SmokeTest {

	@Test
	void echoesLinesAndStops() throws Exception {
		StreamServer server = new StreamServer("127.0.0.1:0", Handlers::echoLines);
		server.start();
		try (Socket client = Clients.connect(server.getServerPort())) {
			assertThat(Clients.echoLine(client, "hello")).isEqualTo("hello");
		}
		finally {
			server.stop();
		}
		assertThat(Clients.isRefused(server.getServerPort())).isTrue();
	}

}
