package dev.gserver;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** What only a separate JVM shows: the server keeps it alive, and SIGTERM stops it gracefully. */
@Timeout(60)
class ChildProcessTest {

	private Process child;

	@AfterEach
	void killChild() {
		if (this.child != null) {
			this.child.destroyForcibly();
		}
	}

	@Test
	void runningServerKeepsTheJvmAliveAfterMainReturns() throws Exception {
		BufferedReader out = startChild(StartAndReturn.class);
		int port = Integer.parseInt(readTagged(out, "port="));
		assertThat(readTagged(out, "main")).isEqualTo("returned");
		// handler threads are daemons (virtual threads always are): only the accept thread keeps the JVM up
		await().atMost(Duration.ofSeconds(10)).until(() -> Clients.request(port, "").equals("main alive=false"));
		assertThat(this.child.isAlive()).isTrue();
	}

	@Test
	void sigtermStopsServeForeverGracefully() throws Exception {
		BufferedReader out = startChild(ServeForever.class);
		int port = Integer.parseInt(readTagged(out, "port="));
		try (Socket client = Clients.connect(port)) {
			assertThat(Clients.echoLine(client, "before")).isEqualTo("before");
			// Process.destroy() would send SIGTERM too, but it closes our end of the child's output
			assertThat(new ProcessBuilder("kill", "-TERM", Long.toString(this.child.pid())).start().waitFor())
				.isZero();
			await().atMost(Duration.ofSeconds(10)).until(() -> Clients.isRefused(port));
			// the listener is closed, and the connection in progress is still served
			assertThat(Clients.echoLine(client, "during")).isEqualTo("during");
			assertThat(this.child.isAlive()).isTrue();
		}
		assertThat(this.child.waitFor(20, TimeUnit.SECONDS)).isTrue();
		assertThat(this.child.exitValue()).isEqualTo(143);
		assertThat(readTagged(out, "server")).isEqualTo("stopped");
	}

	/** Reads the child's output up to the line starting with {@code tag} (log lines come first), and returns the rest of it. */
	private static String readTagged(BufferedReader out, String tag) throws IOException {
		String line;
		while ((line = out.readLine()) != null) {
			if (line.startsWith(tag)) {
				return line.substring(tag.length()).trim();
			}
		}
		throw new IllegalStateException("The child ended without printing '" + tag + "'");
	}

	private BufferedReader startChild(Class<?> main) throws IOException {
		String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
		this.child = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"), main.getName()))
			.redirectError(ProcessBuilder.Redirect.INHERIT)
			.start();
		return new BufferedReader(new InputStreamReader(this.child.getInputStream(), StandardCharsets.UTF_8));
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
