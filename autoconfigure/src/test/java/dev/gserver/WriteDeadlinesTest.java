package dev.gserver;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

import javax.net.ssl.SSLContext;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import dev.gserver.codec.FrameReader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The deadlines of writes, with real sockets on 127.0.0.1: a client that never reads its replies
 * is cut by the write timeout, or by the idle timeout (no progress either way), from the
 * server's watchdog thread; a client that reads slowly but steadily is never cut; the watchdog
 * lives and ends with its server. Socket buffers are made small so that writes block after a
 * few hundred KiB instead of several MiB.
 */
@Timeout(60)
class WriteDeadlinesTest {

	private static final Duration PATIENCE = Duration.ofMillis(Clients.PATIENCE_MILLIS);

	private static final int SMALL_BUFFER = 16 * 1024;

	private static TestCertificates certificates;

	private final RecordingListener events = new RecordingListener();

	@RegisterExtension
	final Servers servers = new Servers().reportingTo(this.events);

	/** When the handler began writing, and when the server reported the time-out. */
	private final AtomicLong writingSince = new AtomicLong();

	private final AtomicLong timedOutAt = new AtomicLong();

	/** What ended the handler's writes. */
	private final CompletableFuture<Throwable> writeFailure = new CompletableFuture<>();

	@TempDir
	Path directory;

	@BeforeAll
	static void generateCertificates() {
		certificates = TestCertificates.create();
	}

	@Test
	void aClientThatNeverReadsIsCutByTheWriteTimeout() throws Exception {
		cutByTheWriteTimeout(null);
	}

	@Test
	void aClientThatNeverReadsIsCutByTheWriteTimeoutUnderTls() throws Exception {
		cutByTheWriteTimeout(certificates.serverContext());
	}

	private void cutByTheWriteTimeout(SSLContext tls) throws Exception {
		StreamServer server = new StreamServer("127.0.0.1:0", this::writeForEver);
		server.setSslContext(tls);
		server.setWriteTimeout(Duration.ofMillis(300));
		this.servers.start(recordingTimeOuts(server));
		try (Socket client = nonReading(server, tls)) {
			assertThat(this.writeFailure.get(PATIENCE.toMillis(), TimeUnit.MILLISECONDS)).isInstanceOf(IOException.class);
			assertCutAfter(Duration.ofMillis(300), ServerEventListener.TIMED_OUT_WRITE);
		}
	}

	/**
	 * Redis's {@code timeout 3} closes a client that pipelines requests and stops reading; so does
	 * the idle timeout, although its handler is busy writing and the write timeout is far off.
	 */
	@Test
	void aClientThatPipelinesThenStopsReadingIsCutByTheIdleTimeout() throws Exception {
		byte[] reply = new byte[256 * 1024];
		StreamServer server = new StreamServer("127.0.0.1:0", (connection) -> {
			smallSendBuffer(connection);
			FrameReader in = FrameReader.of(connection);
			OutputStream out = connection.getOutputStream();
			this.writingSince.set(System.nanoTime());
			try {
				while (in.readLine() != null) {
					out.write(reply);
				}
			}
			catch (IOException ex) {
				this.writeFailure.complete(ex);
			}
		});
		server.setIdleTimeout(Duration.ofMillis(300));
		assertThat(server.getWriteTimeout()).isEqualTo(Duration.ofSeconds(60));
		this.servers.start(recordingTimeOuts(server));
		try (Socket client = nonReading(server, null)) {
			client.getOutputStream().write("GET k\n".repeat(200).getBytes(StandardCharsets.US_ASCII));
			assertThat(this.writeFailure.get(PATIENCE.toMillis(), TimeUnit.MILLISECONDS)).isInstanceOf(IOException.class);
			assertCutAfter(Duration.ofMillis(300), ServerEventListener.TIMED_OUT_IDLE);
		}
	}

	/**
	 * Idle means no progress either way: a write blocked on a client that reads nothing is not
	 * idle while the client's requests keep coming in (read by another thread of the handler),
	 * and is once they stop.
	 */
	@Test
	void aBlockedWriteIsNotIdleWhileTheClientKeepsSending() throws Exception {
		StreamServer server = new StreamServer("127.0.0.1:0", (connection) -> {
			Thread reader = new Thread(() -> {
				try {
					connection.getInputStream().transferTo(OutputStream.nullOutputStream());
				}
				catch (IOException ex) {
					// closed under it
				}
			}, "requests");
			reader.start();
			writeForEver(connection);
			reader.join();
		});
		// an idle timeout ten times the pacing, so that a busy machine's pause does not pass for idleness
		server.setIdleTimeout(Duration.ofMillis(1000));
		server.setWriteTimeout(Duration.ZERO);
		this.servers.start(recordingTimeOuts(server));
		try (Socket client = nonReading(server, null)) {
			OutputStream out = client.getOutputStream();
			// a request every 100 ms for 3 s: three times the idle timeout in all, never 1 s apart
			for (int i = 0; i < 30; i++) {
				out.write(("PING " + i + "\n").getBytes(StandardCharsets.US_ASCII));
				out.flush();
				Thread.sleep(100); // pacing the client, not synchronisation
			}
			assertThat(this.writeFailure.get(PATIENCE.toMillis(), TimeUnit.MILLISECONDS)).isInstanceOf(IOException.class);
			assertCutWithin(3_000, 10_000, ServerEventListener.TIMED_OUT_IDLE);
		}
	}

	/**
	 * One write of 8 MiB to a client reading 16 KiB every 5 ms takes seconds, many times both
	 * timeouts; each 64 KiB of it is taken well within them, so nothing is cut.
	 */
	@Test
	void aClientReadingSlowlyButSteadilyIsNeverCut() throws Exception {
		byte[] large = new byte[8 * 1024 * 1024];
		AtomicLong writeMillis = new AtomicLong();
		StreamServer server = new StreamServer("127.0.0.1:0", (connection) -> {
			smallSendBuffer(connection);
			OutputStream out = connection.getOutputStream();
			long began = System.nanoTime();
			out.write(large);
			writeMillis.set(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began));
			out.write("END\n".getBytes(StandardCharsets.US_ASCII));
		});
		server.setWriteTimeout(Duration.ofMillis(300));
		server.setIdleTimeout(Duration.ofMillis(300));
		this.servers.start(server);
		long received = 0;
		try (Socket client = nonReading(server, null)) {
			InputStream in = client.getInputStream();
			byte[] buffer = new byte[SMALL_BUFFER];
			for (int n; (n = in.read(buffer)) != -1;) {
				received += n;
				Thread.sleep(5); // pacing the reader: a slow client, not synchronisation
			}
		}
		assertThat(received).isEqualTo(large.length + 4);
		await().atMost(PATIENCE).until(() -> this.events.outcomes.size() == 1);
		assertThat(this.events.timedOut).isEmpty();
		assertThat(this.events.outcomes).containsExactly(ServerEventListener.HandlerOutcome.SUCCESS);
		assertThat(writeMillis.get()).as("ms the one write took: longer than both timeouts").isGreaterThan(600);
	}

	@Test
	void aShorterWriteTimeoutAppliesToAWriteAlreadyBlocked() throws Exception {
		CompletableFuture<SocketConnection> served = new CompletableFuture<>();
		StreamServer server = new StreamServer("127.0.0.1:0", (connection) -> {
			served.complete((SocketConnection) connection);
			writeForEver(connection);
		});
		server.setWriteTimeout(Duration.ZERO);
		this.servers.start(recordingTimeOuts(server));
		try (Socket client = nonReading(server, null)) {
			// the write blocks (no progress for 200 ms) with no deadline, and the watchdog waits for nothing: a change must wake it
			SocketConnection connection = served.get(PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
			await().atMost(PATIENCE).until(() -> blockedFor(connection) > 200);
			assertThat(this.writeFailure).isNotDone();
			this.writingSince.set(System.nanoTime());
			server.setWriteTimeout(Duration.ofMillis(200));
			assertThat(this.writeFailure.get(PATIENCE.toMillis(), TimeUnit.MILLISECONDS)).isInstanceOf(IOException.class);
			// blocked longer than the new timeout already: cut at once, not after a scan that was never due
			assertCutWithin(0, 2_000, ServerEventListener.TIMED_OUT_WRITE);
		}
	}

	/** A Unix socket has no read timeout, but its writes are bounded as TCP's are. */
	@Test
	void aUnixSocketClientThatNeverReadsIsCutByTheWriteTimeout() throws Exception {
		Path file = this.directory.resolve("write.sock");
		StreamServer server = new StreamServer("unix:" + file, this::writeForEver);
		server.setWriteTimeout(Duration.ofMillis(300));
		this.servers.start(recordingTimeOuts(server));
		try (SocketChannel client = SocketChannel.open(StandardProtocolFamily.UNIX)) {
			client.connect(UnixDomainSocketAddress.of(file));
			assertThat(this.writeFailure.get(PATIENCE.toMillis(), TimeUnit.MILLISECONDS)).isInstanceOf(IOException.class);
			assertCutAfter(Duration.ofMillis(300), ServerEventListener.TIMED_OUT_WRITE);
		}
	}

	@Test
	void theWatchdogRunsWithItsServerAndEndsWithItsStop() throws Exception {
		StreamServer server = new StreamServer("127.0.0.1:0", Handlers::echoLines);
		server.setName("watched");
		assertThat(deadlineThreads("watched")).isEmpty();
		for (int run = 0; run < 2; run++) {
			this.servers.start(server);
			assertThat(deadlineThreads("watched")).containsExactly("watched[127.0.0.1:" + server.getServerPort() + "]-deadlines");
			server.stop();
			// stop waits for the thread to end
			assertThat(deadlineThreads("watched")).isEmpty();
		}
	}

	/** After close() the handlers go on, and may write: the watchdog stays until the last has ended. */
	@Test
	void afterCloseTheWatchdogWatchesTheRemainingHandlersThenEnds() throws Exception {
		CountDownLatch release = new CountDownLatch(1);
		CountDownLatch entered = new CountDownLatch(1);
		StreamServer server = new StreamServer("127.0.0.1:0", (connection) -> {
			entered.countDown();
			release.await();
		});
		server.setName("closing");
		this.servers.start(server);
		try (Socket client = Clients.connect(server.getServerPort())) {
			assertThat(entered.await(PATIENCE.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
			server.close();
			assertThat(deadlineThreads("closing")).hasSize(1);
			release.countDown();
			await().atMost(PATIENCE).until(() -> deadlineThreads("closing").isEmpty());
		}
	}

	/** Writes 1 MiB blocks until a write fails, with a small send buffer so that it blocks soon. */
	private void writeForEver(Connection connection) throws IOException {
		smallSendBuffer(connection);
		OutputStream out = connection.getOutputStream();
		byte[] block = new byte[1024 * 1024];
		this.writingSince.compareAndSet(0, System.nanoTime());
		try {
			for (;;) {
				out.write(block);
			}
		}
		catch (IOException ex) {
			this.writeFailure.complete(ex);
		}
	}

	private StreamServer recordingTimeOuts(StreamServer server) {
		server.addEventListener(new ServerEventListener() {

			@Override
			public void connectionTimedOut(String reason) {
				WriteDeadlinesTest.this.timedOutAt.compareAndSet(0, System.nanoTime());
			}

		});
		return server;
	}

	/** The server reported one time-out with {@code reason}, no sooner than {@code timeout} after the write began, and the handler ended well. */
	private void assertCutAfter(Duration timeout, String reason) {
		assertCutWithin(timeout.toMillis(), 5_000, reason);
	}

	private void assertCutWithin(long minMillis, long maxMillis, String reason) {
		await().atMost(PATIENCE).until(() -> this.events.outcomes.size() == 1);
		assertThat(this.events.timedOut).containsExactly(reason);
		long cutAfter = TimeUnit.NANOSECONDS.toMillis(this.timedOutAt.get() - this.writingSince.get());
		assertThat(cutAfter).as("ms from the first write to the cut").isBetween(minMillis, maxMillis);
		// the server closed the connection on purpose: not a handler error
		assertThat(this.events.outcomes).containsExactly(ServerEventListener.HandlerOutcome.SUCCESS);
	}

	/** How long the connection's write in progress has not moved, in ms; 0 when none is in progress. */
	private static long blockedFor(SocketConnection connection) {
		long since = connection.writeSince;
		return (since == 0) ? 0 : TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - since);
	}

	private static void smallSendBuffer(Connection connection) throws IOException {
		((SocketConnection) connection).getChannel().setOption(StandardSocketOptions.SO_SNDBUF, SMALL_BUFFER);
	}

	/** Connects with a small receive buffer (set before connecting, so that the window is small too). */
	private Socket nonReading(StreamServer server, SSLContext tls) throws IOException {
		Socket plain = new Socket();
		plain.setReceiveBufferSize(SMALL_BUFFER);
		plain.connect(new java.net.InetSocketAddress("127.0.0.1", server.getServerPort()), Clients.PATIENCE_MILLIS);
		plain.setSoTimeout(Clients.PATIENCE_MILLIS);
		if (tls == null) {
			return plain;
		}
		javax.net.ssl.SSLSocket socket = (javax.net.ssl.SSLSocket) certificates.clientContext()
			.getSocketFactory()
			.createSocket(plain, "127.0.0.1", server.getServerPort(), true);
		socket.startHandshake();
		return socket;
	}

	private static List<String> deadlineThreads(String serverName) {
		return Thread.getAllStackTraces()
			.keySet()
			.stream()
			.filter(Thread::isAlive)
			.map(Thread::getName)
			.filter((name) -> name.startsWith(serverName + "[") && name.endsWith("-deadlines"))
			.collect(Collectors.toList());
	}

}
