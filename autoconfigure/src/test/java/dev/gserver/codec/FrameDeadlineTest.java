package dev.gserver.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.gserver.Clients;
import dev.gserver.Handler;
import dev.gserver.ServerEventListener;
import dev.gserver.StreamServer;
import dev.gserver.codec.FrameException.Reason;

/**
 * The frame timeout and the refusal reports over real sockets (127.0.0.1, port 0): a client that
 * trickles a line is stopped by the frame timeout, not by the idle timeout it never reaches, and
 * the server hears every refusal with its reason.
 */
@Timeout(30)
class FrameDeadlineTest {

	private static final Duration FRAME_TIMEOUT = Duration.ofMillis(300);

	/** How late a refusal may come on a loaded machine of 2 shared cores; far below "never". */
	private static final Duration SLACK = Duration.ofSeconds(3);

	/** What the server reports about frames and idle connections. */
	static final class Reports implements ServerEventListener {

		final List<String> rejected = new CopyOnWriteArrayList<>();

		final AtomicInteger idleClosed = new AtomicInteger();

		@Override
		public void frameRejected(String reason) {
			this.rejected.add(reason);
		}

		/** Any deadline's close (idle or write): a stalled frame must not be one. */
		@Override
		public void connectionTimedOut(String reason) {
			this.idleClosed.incrementAndGet();
		}

	}

	/** What a handler saw: the lines it read, and how its read ended, with the time it took. */
	record Outcome(List<String> lines, Throwable error, long nanos) {
	}

	private final Reports reports = new Reports();

	private StreamServer server;

	@AfterEach
	void stop() {
		if (this.server != null) {
			this.server.stop(Duration.ofSeconds(2));
		}
	}

	private int serve(Handler handler) throws IOException {
		this.server = new StreamServer("127.0.0.1:0", handler);
		this.server.addEventListener(this.reports);
		this.server.start();
		return this.server.getServerPort();
	}

	/**
	 * A handler that reads lines until the end of input or a refusal, reports it to
	 * {@code outcome}, and answers a refusal with its reason before the server closes.
	 */
	private static Handler lineReader(CompletableFuture<Outcome> outcome) {
		return (connection) -> {
			FrameReader in = FrameReader.of(connection).frameTimeout(FRAME_TIMEOUT);
			List<String> lines = new CopyOnWriteArrayList<>();
			long start = System.nanoTime();
			try {
				for (String line; (line = in.readLine()) != null;) {
					lines.add(line);
					start = System.nanoTime();
				}
				outcome.complete(new Outcome(lines, null, System.nanoTime() - start));
			}
			catch (Throwable ex) {
				outcome.complete(new Outcome(lines, ex, System.nanoTime() - start));
				if (ex instanceof FrameException refused) {
					// the connection stays open after a refusal: the handler may answer
					FrameWriter.of(connection).writeLine("-ERR " + refused.getReason().tag()).flush();
				}
			}
		};
	}

	@Test
	void aClientTricklingALineIsStalledByTheFrameTimeout() throws Exception {
		CompletableFuture<Outcome> outcome = new CompletableFuture<>();
		int port = serve(lineReader(outcome));
		try (Socket client = Clients.connect(port)) {
			OutputStream out = client.getOutputStream();
			int sent = 0;
			long giveUp = System.nanoTime() + FRAME_TIMEOUT.plus(SLACK).toNanos();
			Outcome seen = null;
			while (seen == null) {
				// the slow client under test: a byte every 50 ms, never a newline, never idle for long
				out.write('x');
				out.flush();
				sent++;
				try {
					seen = outcome.get(50, TimeUnit.MILLISECONDS);
				}
				catch (TimeoutException stillReading) {
					assertThat(System.nanoTime() - giveUp).as("the handler is still reading after %d bytes", sent)
						.isNegative();
				}
			}
			assertThat(seen.error()).isInstanceOf(FrameException.class);
			assertThat(((FrameException) seen.error()).getReason()).isEqualTo(Reason.STALLED);
			assertThat(Duration.ofNanos(seen.nanos())).isGreaterThanOrEqualTo(FRAME_TIMEOUT)
				.isLessThan(FRAME_TIMEOUT.plus(SLACK));
			assertThat(sent).as("bytes sent while the frame was read").isGreaterThanOrEqualTo(3);
			assertThat(Clients.readLine(client.getInputStream())).isEqualTo("-ERR stalled\r");
		}
		assertThat(this.reports.rejected).containsExactly("stalled");
		assertThat(this.reports.idleClosed).as("not closed as idle: the client was not").hasValue(0);
	}

	/** The frame timeout bounds a frame once begun, not the wait between frames (that is the idle timeout's). */
	@Test
	void theFrameTimeoutDoesNotRunBetweenFrames() throws Exception {
		CompletableFuture<Outcome> outcome = new CompletableFuture<>();
		int port = serve(lineReader(outcome));
		try (Socket client = Clients.connect(port)) {
			OutputStream out = client.getOutputStream();
			out.write("first\r\n".getBytes(StandardCharsets.US_ASCII));
			out.flush();
			// twice the frame timeout between two lines: the handler must still be waiting, not stalled
			assertThatExceptionOfType(TimeoutException.class)
				.isThrownBy(() -> outcome.get(2 * FRAME_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
			out.write("second\n".getBytes(StandardCharsets.US_ASCII));
			client.shutdownOutput();
			Outcome seen = outcome.get(Clients.PATIENCE_MILLIS, TimeUnit.MILLISECONDS);
			assertThat(seen.error()).isNull();
			assertThat(seen.lines()).containsExactly("first", "second");
		}
		assertThat(this.reports.rejected).isEmpty();
	}

	/** A line past the limit is refused before its end comes, and the server hears "too-long". */
	@Test
	void aLineTooLongIsReportedAsTooLong() throws Exception {
		CompletableFuture<Outcome> outcome = new CompletableFuture<>();
		int port = serve(lineReader(outcome));
		try (Socket client = Clients.connect(port)) {
			// 9000 bytes and no newline, the connection left open: fail fast must not wait for more
			client.getOutputStream().write("a".repeat(9000).getBytes(StandardCharsets.US_ASCII));
			client.getOutputStream().flush();
			Outcome seen = outcome.get(Clients.PATIENCE_MILLIS, TimeUnit.MILLISECONDS);
			assertThat(seen.error()).isInstanceOf(FrameException.class);
			assertThat(((FrameException) seen.error()).getReason()).isEqualTo(Reason.TOO_LONG);
			assertThat(Clients.readLine(client.getInputStream())).isEqualTo("-ERR too-long\r");
		}
		assertThat(this.reports.rejected).containsExactly("too-long");
	}

	/** A client that closes in the middle of a line is "truncated" (one that closes between lines: the test above). */
	@Test
	void anEndInsideALineIsReportedAsTruncated() throws Exception {
		CompletableFuture<Outcome> cut = new CompletableFuture<>();
		int port = serve(lineReader(cut));
		try (Socket client = Clients.connect(port)) {
			client.getOutputStream().write("whole\npart".getBytes(StandardCharsets.US_ASCII));
			client.shutdownOutput();
			Outcome seen = cut.get(Clients.PATIENCE_MILLIS, TimeUnit.MILLISECONDS);
			assertThat(seen.lines()).containsExactly("whole");
			assertThat(((FrameException) seen.error()).getReason()).isEqualTo(Reason.TRUNCATED);
			assertThat(Clients.readLine(client.getInputStream())).isEqualTo("-ERR truncated\r");
		}
		assertThat(this.reports.rejected).containsExactly("truncated");
	}

}
