package dev.gserver;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.awaitility.Awaitility.await;

/** Unix domain sockets, an inherited listener, and the idle timeout. */
@Timeout(60)
class TransportsTest {

	private final RecordingListener events = new RecordingListener();

	@RegisterExtension
	final Servers servers = new Servers().reportingTo(this.events);

	@TempDir
	Path directory;

	@Test
	void echoesOverAUnixSocketAndRemovesItsFileOnStop() throws Exception {
		Path file = this.directory.resolve("echo.sock");
		StreamServer server = this.servers.start(new StreamServer("unix:" + file, Handlers::echoLines));
		assertThat(Files.exists(file)).isTrue();
		assertThat(server.getServerHost()).isNull();
		assertThat(server.getServerPort()).isEqualTo(-1);
		assertThat(server.toString()).startsWith("<StreamServer address=unix:" + file);
		for (int i = 0; i < 3; i++) {
			assertThat(unixEcho(file, "hello " + i)).isEqualTo("hello " + i);
		}
		server.stop();
		assertThat(Files.exists(file)).isFalse();
	}

	@Test
	void replacesAStaleSocketFileButNotALiveOne() throws Exception {
		Path file = this.directory.resolve("stale.sock");
		// a crashed run: the file stays, nobody listens
		ServerSocketChannel crashed = ServerSocketChannel.open(StandardProtocolFamily.UNIX)
			.bind(UnixDomainSocketAddress.of(file));
		crashed.close();
		assertThat(Files.exists(file)).isTrue();
		StreamServer server = this.servers.start(new StreamServer("unix:" + file, Handlers::echoLines));
		assertThat(unixEcho(file, "fresh")).isEqualTo("fresh");

		StreamServer second = this.servers.track(new StreamServer("unix:" + file, Handlers::echoLines));
		assertThatExceptionOfType(java.net.BindException.class).isThrownBy(second::start)
			.withMessageContaining("unix:" + file);
		assertThat(unixEcho(file, "still served")).isEqualTo("still served");
		assertThat(server.isStarted()).isTrue();
	}

	@Test
	void idleClientIsClosedAfterTheTimeoutWhileAnActiveOneIsKept() throws Exception {
		AtomicReference<Throwable> idleFailure = new AtomicReference<>();
		StreamServer server = new StreamServer("127.0.0.1:0", (connection) -> {
			try {
				Handlers.echoLines(connection);
			}
			catch (SocketTimeoutException ex) {
				idleFailure.set(ex);
				throw ex;
			}
		});
		server.setIdleTimeout(Duration.ofSeconds(1));
		this.servers.start(server);
		try (java.net.Socket idle = Clients.connect(server.getServerPort());
				java.net.Socket active = Clients.connect(server.getServerPort())) {
			long deadline = System.nanoTime() + Duration.ofMillis(2500).toNanos();
			int exchanges = 0;
			// the active client speaks every 50 ms: never idle for a second, even on a loaded machine
			while (System.nanoTime() < deadline || this.events.timedOut.isEmpty()) {
				assertThat(Clients.echoLine(active, "ping " + exchanges)).isEqualTo("ping " + exchanges);
				exchanges++;
				Thread.sleep(50); // pacing the active client, not synchronisation
			}
			assertThat(Clients.isClosedWithoutData(idle)).isTrue();
			assertThat(Clients.echoLine(active, "still here")).isEqualTo("still here");
		}
		assertThat(this.events.timedOut).containsExactly("idle");
		await().atMost(Duration.ofSeconds(10)).until(() -> this.events.outcomes.size() == 2);
		assertThat(idleFailure.get()).isInstanceOf(SocketTimeoutException.class);
		// the server closed the idle client on purpose: not a handler error
		assertThat(this.events.outcomes).doesNotContain(ServerEventListener.HandlerOutcome.ERROR);
	}

	@Test
	void tlsOnAUnixSocketFailsAtStartSayingWhy() throws Exception {
		StreamServer server = this.servers.track(new StreamServer("unix:" + this.directory.resolve("tls.sock"), Handlers::pong));
		server.setSslContext(javax.net.ssl.SSLContext.getDefault());
		assertThatIllegalStateException().isThrownBy(server::start).withMessageContaining("TLS needs a TCP listener");
		assertThat(server.isStarted()).isFalse();
	}

	@Test
	void handshakeFailuresSortIntoFixedReasons() {
		assertThat(TlsFailures.reason(new javax.net.ssl.SSLException("readHandshakeRecord",
				new java.io.IOException("Broken pipe")))).isEqualTo("closed");
		assertThat(TlsFailures.reason(new SocketTimeoutException("Read timed out"))).isEqualTo("timeout");
		assertThat(TlsFailures.reason(new javax.net.ssl.SSLHandshakeException("Received fatal alert: certificate_unknown")))
			.isEqualTo("certificate");
		assertThat(TlsFailures.reason(new javax.net.ssl.SSLException("Unsupported or unrecognized SSL message")))
			.isEqualTo("protocol");
		assertThat(TlsFailures.reason(new IllegalStateException("something else"))).isEqualTo("other");
	}

	@Test
	void idleTimeoutIsOffByDefault() {
		assertThat(new StreamServer("127.0.0.1:0", Handlers::pong).getIdleTimeout()).isZero();
	}

	@Test
	void inheritedWithoutAnInheritedSocketFailsClearly() {
		assertThatIllegalStateException().isThrownBy(() -> StreamServer.inherited(Handlers::pong, Spawn.DEFAULT))
			.withMessageContaining("No listening socket was inherited");
	}

	@Test
	void servesAListenerInheritedOnStandardInput() throws Exception {
		// python hands the child JVM a bound, listening socket as its standard input, as inetd and systemd do
		String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
		String script = String.join("\n", "import socket, subprocess, sys",
				"s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen(16)",
				"print('port=%d' % s.getsockname()[1], flush=True)",
				"sys.exit(subprocess.call(sys.argv[1:], stdin=s.fileno()))");
		Process child = new ProcessBuilder("python3", "-c", script, java, "-cp", System.getProperty("java.class.path"),
				InheritedEcho.class.getName())
			.redirectError(ProcessBuilder.Redirect.INHERIT)
			.start();
		try {
			java.io.BufferedReader out = new java.io.BufferedReader(
					new java.io.InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
			int port = -1;
			String line;
			while ((line = out.readLine()) != null) {
				if (line.startsWith("port=")) {
					port = Integer.parseInt(line.substring(5));
				}
				if (line.equals("serving")) {
					break;
				}
			}
			assertThat(port).isPositive();
			try (java.net.Socket client = Clients.connect(port)) {
				assertThat(Clients.echoLine(client, "inherited")).isEqualTo("inherited");
			}
		}
		finally {
			// the JVM is python's child: kill it too, or it holds our output open
			child.descendants().forEach(ProcessHandle::destroyForcibly);
			child.destroyForcibly();
		}
	}

	private static String unixEcho(Path file, String line) throws Exception {
		try (SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(file))) {
			OutputStream out = Channels.newOutputStream(channel);
			out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
			InputStream in = Channels.newInputStream(channel);
			return Clients.readLine(in);
		}
	}

	/** Echoes lines on the listener it inherited. */
	static final class InheritedEcho {

		public static void main(String[] args) throws Exception {
			StreamServer server = StreamServer.inherited(Handlers::echoLines, Spawn.DEFAULT);
			server.start();
			System.out.println("serving");
			System.out.flush();
		}

	}

}
