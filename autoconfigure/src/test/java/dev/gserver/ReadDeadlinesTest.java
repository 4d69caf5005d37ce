package dev.gserver;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import javax.net.ssl.SSLContext;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.gserver.codec.FrameException;
import dev.gserver.codec.FrameReader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The deadlines of reads, with real sockets on 127.0.0.1: a read timeout a handler sets (plain
 * and TLS), the frame timeout every {@link FrameReader} of a connection starts with (a
 * slow-loris client), and an idle read that is not idle because the handler's writes go out.
 */
@Timeout(60)
class ReadDeadlinesTest {

	private static final Duration PATIENCE = Duration.ofMillis(Clients.PATIENCE_MILLIS);

	private static TestCertificates certificates;

	private final RecordingListener events = new RecordingListener();

	@RegisterExtension
	final Servers servers = new Servers().reportingTo(this.events);

	/** What the handler's read ended with, and after how long. */
	private final CompletableFuture<Throwable> readFailure = new CompletableFuture<>();

	private final AtomicLong readMillis = new AtomicLong(-1);

	@BeforeAll
	static void generateCertificates() {
		certificates = TestCertificates.create();
	}

	@Test
	void aShorterReadTimeoutSetByTheHandlerCutsASilentClient() throws Exception {
		shorterReadTimeoutCutsASilentClient(null);
	}

	@Test
	void aShorterReadTimeoutSetByTheHandlerCutsASilentClientUnderTls() throws Exception {
		shorterReadTimeoutCutsASilentClient(certificates.serverContext());
	}

	/**
	 * The server waits 20 s for a silent client; the handler, before its first read, asks for
	 * 200 ms (setting it before the stream exists must count), and that is what applies.
	 */
	private void shorterReadTimeoutCutsASilentClient(SSLContext tls) throws Exception {
		StreamServer server = start(tls, Duration.ofSeconds(20), Duration.ofMillis(200));
		try (Socket client = connect(server, tls)) {
			assertThat(this.readFailure.get(PATIENCE.toMillis(), TimeUnit.MILLISECONDS))
				.isInstanceOf(SocketTimeoutException.class);
			assertThat(this.readMillis.get()).isBetween(200L, 5_000L);
			assertThat(Clients.isClosedWithoutData(client)).isTrue();
		}
		awaitOutcomes(1);
		assertThat(this.events.timedOut).containsExactly(ServerEventListener.TIMED_OUT_IDLE);
		// the server closed the connection on purpose: not a handler error
		assertThat(this.events.outcomes).containsExactly(ServerEventListener.HandlerOutcome.SUCCESS);
	}

	@Test
	void aLongerReadTimeoutSetByTheHandlerKeepsAClientTheServerWouldCut() throws Exception {
		longerReadTimeoutKeepsTheClient(null);
	}

	@Test
	void aLongerReadTimeoutSetByTheHandlerKeepsAClientTheServerWouldCutUnderTls() throws Exception {
		longerReadTimeoutKeepsTheClient(certificates.serverContext());
	}

	/** The server cuts silence at 200 ms; the handler allows 20 s, and the client, silent for 1 s, is still served. */
	private void longerReadTimeoutKeepsTheClient(SSLContext tls) throws Exception {
		StreamServer server = start(tls, Duration.ofMillis(200), Duration.ofSeconds(20));
		try (Socket client = connect(server, tls)) {
			// silent for five times the server's idle timeout: a read that must time out on the client's side only
			client.setSoTimeout(1_000);
			InputStream in = client.getInputStream();
			assertThat(readTimesOut(in)).as("the server closed the connection or sent something").isTrue();
			client.setSoTimeout(Clients.PATIENCE_MILLIS);
			assertThat(Clients.echoLine(client, "still here")).isEqualTo("still here");
		}
		awaitOutcomes(1);
		assertThat(this.events.timedOut).isEmpty();
		assertThat(this.readFailure).isNotDone();
	}

	@Test
	void aSlowLorisLineIsCutByTheFrameTimeoutThoughEachByteComesWithinTheIdleTimeout() throws Exception {
		slowLorisIsCutByTheFrameTimeout(null);
	}

	@Test
	void aSlowLorisLineIsCutByTheFrameTimeoutUnderTls() throws Exception {
		slowLorisIsCutByTheFrameTimeout(certificates.serverContext());
	}

	private void slowLorisIsCutByTheFrameTimeout(SSLContext tls) throws Exception {
		StreamServer server = new StreamServer("127.0.0.1:0", (connection) -> {
			// no frame timeout set here: the reader starts with the server's
			FrameReader in = FrameReader.of(connection);
			OutputStream out = connection.getOutputStream();
			try {
				for (String line; (line = in.readLine()) != null;) {
					out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
				}
			}
			catch (FrameException ex) {
				this.readFailure.complete(ex);
				out.write(("ERR " + ex.getReason().tag() + "\n").getBytes(StandardCharsets.UTF_8));
			}
		});
		server.setSslContext(tls);
		server.setIdleTimeout(Duration.ofSeconds(2));
		server.setFrameTimeout(Duration.ofMillis(500));
		this.servers.start(server);
		try (Socket client = connect(server, tls)) {
			// a whole line is served: the deadline ends with each frame
			assertThat(Clients.echoLine(client, "a quick line")).isEqualTo("a quick line");
			OutputStream out = client.getOutputStream();
			InputStream in = client.getInputStream();
			long began = System.nanoTime();
			// one byte every 100 ms, far within the idle timeout, until the server answers: the pace of the attack
			client.setSoTimeout(100);
			String answer = null;
			while (answer == null && System.nanoTime() - began < PATIENCE.toNanos()) {
				out.write('x');
				out.flush();
				answer = lineOrNull(in);
			}
			long cutAfter = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began);
			assertThat(answer).isEqualTo("ERR stalled");
			assertThat(cutAfter).as("ms from the frame's first byte to the refusal").isBetween(500L, 5_000L);
		}
		assertThat(this.readFailure.get(PATIENCE.toMillis(), TimeUnit.MILLISECONDS)).isInstanceOf(FrameException.class);
		awaitOutcomes(1);
		assertThat(this.events.framesRejected).containsExactly("stalled");
		// a stalled frame is the handler's to answer; the connection did not time out
		assertThat(this.events.timedOut).isEmpty();
		assertThat(this.events.outcomes).containsExactly(ServerEventListener.HandlerOutcome.SUCCESS);
	}

	@Test
	void frameTimeoutIsBoundedByDefaultAndEachConnectionCarriesTheServersSetting() throws Exception {
		assertThat(new StreamServer("127.0.0.1:0", Handlers::pong).getFrameTimeout()).isEqualTo(Duration.ofSeconds(30));
		CompletableFuture<Duration> seen = new CompletableFuture<>();
		StreamServer server = new StreamServer("127.0.0.1:0", (connection) -> seen.complete(connection.getFrameTimeout()));
		server.setFrameTimeout(Duration.ofMillis(1234));
		this.servers.start(server);
		Clients.poke(server.getServerPort());
		assertThat(seen.get(PATIENCE.toMillis(), TimeUnit.MILLISECONDS)).isEqualTo(Duration.ofMillis(1234));
	}

	/**
	 * Idle means no progress either way: a handler that waits for its client on one thread while
	 * another writes to it is not idle while the writes go out, and is once they stop.
	 */
	@Test
	void aReadIsNotIdleWhileTheHandlerWritesFromAnotherThread() throws Exception {
		AtomicLong writesEnded = new AtomicLong();
		StreamServer server = new StreamServer("127.0.0.1:0", (connection) -> {
			OutputStream out = connection.getOutputStream();
			Thread writer = new Thread(() -> {
				try {
					// a line every 50 ms for 1.5 s: five times the idle timeout in all, never 300 ms apart
					for (int i = 0; i < 30; i++) {
						out.write(("tick " + i + "\n").getBytes(StandardCharsets.US_ASCII));
						Thread.sleep(50); // pacing the writes, not synchronisation
					}
				}
				catch (IOException | InterruptedException ex) {
					// the connection ended: nothing more to write
				}
				writesEnded.set(System.nanoTime());
			}, "ticker");
			writer.start();
			readUntilFailure(connection);
			writer.join();
		});
		server.setIdleTimeout(Duration.ofMillis(300));
		this.servers.start(server);
		try (Socket client = Clients.connect(server.getServerPort())) {
			InputStream in = client.getInputStream();
			for (int i = 0; i < 30; i++) {
				assertThat(Clients.readLine(in)).isEqualTo("tick " + i);
			}
			assertThat(Clients.isClosedWithoutData(client)).isTrue();
		}
		assertThat(this.readFailure.get(PATIENCE.toMillis(), TimeUnit.MILLISECONDS))
			.isInstanceOf(SocketTimeoutException.class);
		assertThat(this.readMillis.get()).as("ms the read waited").isGreaterThanOrEqualTo(1_500L);
		awaitOutcomes(1);
		assertThat(this.events.timedOut).containsExactly(ServerEventListener.TIMED_OUT_IDLE);
	}

	/** Starts an echo server whose handler sets {@code readTimeout} before it reads anything. */
	private StreamServer start(SSLContext tls, Duration idleTimeout, Duration readTimeout) throws IOException {
		StreamServer server = new StreamServer("127.0.0.1:0", (connection) -> {
			connection.setReadTimeout(readTimeout);
			assertThat(connection.getReadTimeout()).isEqualTo(readTimeout);
			readUntilFailure(connection);
		});
		server.setSslContext(tls);
		server.setIdleTimeout(idleTimeout);
		return this.servers.start(server);
	}

	/** Echoes lines; records what ended the reads and how long the last one waited. */
	private void readUntilFailure(Connection connection) throws IOException {
		InputStream in = connection.getInputStream();
		OutputStream out = connection.getOutputStream();
		long began = System.nanoTime();
		try {
			for (String line; (line = Clients.readLine(in)) != null; began = System.nanoTime()) {
				out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
				out.flush();
			}
		}
		catch (IOException ex) {
			this.readMillis.set(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began));
			this.readFailure.complete(ex);
			throw ex;
		}
	}

	private Socket connect(StreamServer server, SSLContext tls) throws IOException {
		if (tls == null) {
			return Clients.connect(server.getServerPort());
		}
		javax.net.ssl.SSLSocket socket = TestCertificates.connect(certificates.clientContext(), server.getServerPort(),
				PATIENCE);
		socket.startHandshake();
		return socket;
	}

	private void awaitOutcomes(int count) {
		await().atMost(PATIENCE).until(() -> this.events.outcomes.size() >= count);
	}

	/** Returns whether a read times out (nothing sent, connection open) rather than returning data or the end. */
	private static boolean readTimesOut(InputStream in) throws IOException {
		try {
			in.read();
			return false;
		}
		catch (SocketTimeoutException ex) {
			return true;
		}
	}

	/** Returns a line the server sent, or {@code null} when nothing came within the socket's timeout. */
	private static String lineOrNull(InputStream in) throws IOException {
		try {
			return Clients.readLine(in);
		}
		catch (SocketTimeoutException ex) {
			return null;
		}
	}

}
