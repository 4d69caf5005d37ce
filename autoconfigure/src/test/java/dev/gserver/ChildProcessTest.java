package dev.gserver;

import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** What only a separate JVM shows: the server keeps it alive, and SIGTERM stops it gracefully. */
@Timeout(60)
class ChildProcessTest {

	@Test
	void runningServerKeepsTheJvmAliveAfterMainReturns() throws Exception {
		try (ChildJvm child = ChildJvm.start(StartAndReturn.class)) {
			int port = Integer.parseInt(child.readTagged("port="));
			assertThat(child.readTagged("main")).isEqualTo("returned");
			// handler threads are daemons (virtual threads always are): only the accept thread keeps the JVM up
			await().atMost(Duration.ofSeconds(10)).until(() -> Clients.request(port, "").equals("main alive=false"));
			assertThat(child.isAlive()).isTrue();
		}
	}

	@Test
	void sigtermStopsServeForeverGracefully() throws Exception {
		try (ChildJvm child = ChildJvm.start(ServeForever.class)) {
			int port = Integer.parseInt(child.readTagged("port="));
			try (Socket client = Clients.connect(port)) {
				assertThat(Clients.echoLine(client, "before")).isEqualTo("before");
				child.sigterm();
				await().atMost(Duration.ofSeconds(10)).until(() -> Clients.isRefused(port));
				// the listener is closed, and the connection in progress is still served
				assertThat(Clients.echoLine(client, "during")).isEqualTo("during");
				assertThat(child.isAlive()).isTrue();
			}
			assertThat(child.waitFor(20)).isEqualTo(143);
			assertThat(child.readTagged("server")).isEqualTo("stopped");
		}
	}

	/** Starts a server, prints its port and returns from main. */
	static final class StartAndReturn {

		public static void main(String[] args) throws IOException {
			Thread mainThread = Thread.currentThread();
			StreamServer server = new StreamServer("127.0.0.1:0", (connection) -> connection.getOutputStream()
				.write(("main alive=" + mainThread.isAlive()).getBytes(StandardCharsets.US_ASCII)));
			server.start();
			System.out.println("port=" + server.getServerPort());
			System.out.println("main returned");
			System.out.flush();
		}

	}

	/** Echoes lines in serveForever until SIGTERM, giving handlers ten seconds to finish. */
	static final class ServeForever {

		public static void main(String[] args) throws IOException {
			StreamServer server = new StreamServer("127.0.0.1:0", Handlers::echoLines);
			server.start();
			System.out.println("port=" + server.getServerPort());
			System.out.flush();
			Runtime.getRuntime().addShutdownHook(new Thread(() -> {
				// runs beside the hook of serveForever; a concurrent stop waits for the same handlers
				server.stop(Duration.ofSeconds(10));
				System.out.println("server stopped");
				System.out.flush();
			}));
			server.serveForever(Duration.ofSeconds(10));
		}

	}

}
