package dev.gserver.sample;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.StandardSocketOptions;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.gserver.SocketConnection;
import dev.gserver.StreamServer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * The chat room on a plain core {@link StreamServer}, with real sockets on 127.0.0.1: every line
 * reaches every other client and never its sender, an over-long line is refused and ends its
 * connection, and a client that never reads is cut while 200 others get every line. The
 * server's send buffers and the silent client's receive buffer are made small, so that its socket
 * stops draining after a few tens of KiB instead of several MiB.
 */
@Timeout(60)
class ChatHandlerTest {

	private static final Duration PATIENCE = Duration.ofSeconds(10);

	private static final int MAX_LINE_LENGTH = 1024;

	/** Lines the talker sends at once before every reader is awaited: no reader's queue nears its bound. */
	private static final int ROUND = 50;

	private final ChatHandler chat = new ChatHandler(MAX_LINE_LENGTH, 64 * 1024);

	private final List<Socket> sockets = new ArrayList<>();

	private StreamServer server;

	@AfterEach
	void stop() throws IOException {
		for (Socket socket : this.sockets) {
			socket.close();
		}
		if (this.server != null) {
			this.server.stop(Duration.ofSeconds(2));
		}
		this.chat.close();
	}

	@Test
	void aLineReachesEveryOtherClientButNotItsSender() throws Exception {
		start();
		Socket a = connect();
		Socket b = connect();
		Socket c = connect();
		await().atMost(PATIENCE).until(() -> this.chat.clients() == 3);
		send(a, "h\u00e9llo from a");
		String toB = readLine(b);
		assertThat(toB).matches("\\d+: h\u00e9llo from a");
		assertThat(readLine(c)).isEqualTo(toB);
		// a would have had its own line before anything later: b's line comes first
		send(b, "from b");
		String toA = readLine(a);
		assertThat(toA).matches("\\d+: from b");
		assertThat(id(toA)).isNotEqualTo(id(toB));
		assertThat(readLine(c)).isEqualTo(toA);
	}

	@Test
	void aLineAsLongAsAllowedIsDeliveredAndALongerOneIsRefusedAndEndsTheConnection() throws Exception {
		start();
		Socket a = connect();
		Socket b = connect();
		await().atMost(PATIENCE).until(() -> this.chat.clients() == 2);
		// the limit counts bytes: é is two
		String longest = "\u00e9".repeat(MAX_LINE_LENGTH / 2);
		send(a, longest);
		assertThat(readLine(b)).endsWith(": " + longest);
		send(a, "x".repeat(MAX_LINE_LENGTH + 1));
		assertThat(new String(readUntilClosed(a), StandardCharsets.UTF_8)).isEqualTo("ERR line too long\n");
		await().atMost(PATIENCE).until(() -> this.chat.clients() == 1);
		// the room goes on without it
		Socket c = connect();
		await().atMost(PATIENCE).until(() -> this.chat.clients() == 2);
		send(b, "still here");
		assertThat(readLine(c)).matches("\\d+: still here");
	}

	@Test
	void aClientThatNeverReadsIsCutWhile200OthersGetEveryLine() throws Exception {
		start();
		List<Reader> readers = new ArrayList<>();
		for (int i = 0; i < 200; i++) {
			readers.add(new Reader(connect()));
		}
		Socket silent = silent();
		await().atMost(PATIENCE).until(() -> this.chat.clients() == 201);
		Reader talker = readers.get(0);
		List<Reader> listeners = readers.subList(1, readers.size());
		List<String> sent = new ArrayList<>();
		assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
			while (this.chat.clients() == 201) {
				StringBuilder round = new StringBuilder();
				for (int i = 0; i < ROUND; i++) {
					String line = "line " + sent.size() + " " + "x".repeat(80);
					sent.add(line);
					round.append(line).append('\n');
				}
				talker.socket.getOutputStream().write(round.toString().getBytes(StandardCharsets.UTF_8));
				awaitLines(listeners, sent.size());
			}
		}, "the silent client was not cut");
		// the last word, from a newcomer: the talker gets that one line only
		Socket newcomer = connect();
		await().atMost(PATIENCE).until(() -> this.chat.clients() == 201);
		send(newcomer, "end");
		awaitLines(readers, 1);
		awaitLines(listeners, sent.size() + 1);
		String talkerId = id(listeners.get(0).first());
		for (Reader listener : listeners) {
			assertThat(listener.errors()).as("%s's lines that were not the next one", listener).isEmpty();
			assertThat(listener.count()).isEqualTo(sent.size() + 1);
			assertThat(id(listener.first())).isEqualTo(talkerId);
		}
		assertThat(talker.count()).isOne();
		assertThat(talker.first()).matches("\\d+: end");
		assertThat(readUntilClosed(silent)).as("what the silent client got before it was cut").isNotEmpty();
	}

	@Test
	void limitsAreValidated() {
		assertThatIllegalArgumentException().isThrownBy(() -> new ChatHandler(0));
		assertThatIllegalArgumentException().isThrownBy(() -> new ChatHandler(1024, 1024))
			.withMessageContaining("maxQueuedBytesPerClient");
		try (ChatHandler defaults = new ChatHandler(ChatHandler.DEFAULT_MAX_LINE_LENGTH)) {
			assertThat(defaults.getMaxLineLength()).isEqualTo(1024);
		}
	}

	/** Serves the chat with small send buffers and a write timeout. */
	private void start() throws IOException {
		this.server = new StreamServer("127.0.0.1:0", (connection) -> {
			((SocketConnection) connection).getChannel().setOption(StandardSocketOptions.SO_SNDBUF, 16 * 1024);
			this.chat.handle(connection);
		});
		this.server.setWriteTimeout(Duration.ofSeconds(1));
		this.server.start();
	}

	private Socket connect() throws IOException {
		Socket socket = new Socket();
		this.sockets.add(socket);
		socket.connect(new InetSocketAddress("127.0.0.1", this.server.getServerPort()), (int) PATIENCE.toMillis());
		socket.setSoTimeout((int) PATIENCE.toMillis());
		return socket;
	}

	/** Connects a client that never reads, with a small receive buffer (set before connecting, so that the window is small too). */
	private Socket silent() throws IOException {
		Socket socket = new Socket();
		this.sockets.add(socket);
		socket.setReceiveBufferSize(4 * 1024);
		socket.connect(new InetSocketAddress("127.0.0.1", this.server.getServerPort()), (int) PATIENCE.toMillis());
		socket.setSoTimeout((int) PATIENCE.toMillis());
		return socket;
	}

	private static void send(Socket socket, String line) throws IOException {
		OutputStream out = socket.getOutputStream();
		out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
		out.flush();
	}

	/** Reads one line, decoded as UTF-8 once whole. */
	private static String readLine(Socket socket) throws IOException {
		InputStream in = socket.getInputStream();
		ByteArrayOutputStream line = new ByteArrayOutputStream();
		for (int b; (b = in.read()) != '\n';) {
			if (b == -1) {
				return null;
			}
			line.write(b);
		}
		return line.toString(StandardCharsets.UTF_8);
	}

	/** Reads until the server closes the socket (the end of the stream, or a reset) and returns what came. */
	private static byte[] readUntilClosed(Socket socket) throws IOException {
		ByteArrayOutputStream received = new ByteArrayOutputStream();
		InputStream in = socket.getInputStream();
		byte[] buffer = new byte[8192];
		try {
			for (int n; (n = in.read(buffer)) != -1;) {
				received.write(buffer, 0, n);
			}
		}
		catch (SocketException ex) {
			if (ex.getMessage() == null || !ex.getMessage().contains("reset")) {
				throw ex;
			}
		}
		return received.toByteArray();
	}

	private static String id(String line) {
		return line.substring(0, line.indexOf(':'));
	}

	private static void awaitLines(List<Reader> readers, int count) {
		await().atMost(PATIENCE)
			.pollDelay(Duration.ZERO)
			.pollInterval(Duration.ofMillis(5))
			.until(() -> readers.stream().allMatch((reader) -> reader.count() >= count));
	}

	/**
	 * A client reading on a thread of its own, checking each line as it comes against the line
	 * numbers the talker sends ({@code line <n> ...}), so that 200 of them hold no copies.
	 */
	private static final class Reader {

		final Socket socket;

		private final Thread thread;

		private final List<String> errors = Collections.synchronizedList(new ArrayList<>());

		private volatile String first;

		private volatile int count;

		Reader(Socket socket) {
			this.socket = socket;
			this.thread = new Thread(this::read, "chat-client-" + socket.getLocalPort());
			this.thread.setDaemon(true);
			this.thread.start();
		}

		private void read() {
			try {
				InputStream in = new BufferedInputStream(this.socket.getInputStream());
				ByteArrayOutputStream line = new ByteArrayOutputStream();
				for (int b; (b = in.read()) != -1;) {
					if (b != '\n') {
						line.write(b);
						continue;
					}
					check(line.toString(StandardCharsets.UTF_8));
					line.reset();
				}
			}
			catch (IOException ex) {
				// closed after the test
			}
		}

		private void check(String line) {
			if (this.first == null) {
				this.first = line;
			}
			String text = line.substring(line.indexOf(": ") + 2);
			boolean next = text.startsWith("line " + this.count + " ") || text.equals("end");
			if (!next && this.errors.size() < 5) {
				this.errors.add(this.count + ": " + line);
			}
			this.count++;
		}

		int count() {
			return this.count;
		}

		String first() {
			return this.first;
		}

		List<String> errors() {
			return this.errors;
		}

		@Override
		public String toString() {
			return this.thread.getName();
		}

	}

}
