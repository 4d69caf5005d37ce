package dev.gserver;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardSocketOptions;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.gserver.ServerEventListener.HandlerOutcome;
import dev.gserver.codec.FrameReader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Broadcasting to a {@link ConnectionGroup}, with real sockets on 127.0.0.1: each member's queue
 * is bounded, a member that never reads is cut (by its bound, or by the server's write timeout)
 * while every other member gets every message, and a broadcast never waits for a slow member.
 * The server's send buffers and the silent client's receive buffer are made small, so that a
 * socket stops draining after a few tens of KiB instead of several MiB.
 */
@Timeout(60)
class ConnectionGroupTest {

	private static final Duration PATIENCE = Duration.ofMillis(Clients.PATIENCE_MILLIS);

	private static final int SMALL_BUFFER = 16 * 1024;

	/** Messages go out in rounds, each awaited by every reading client: their queues stay nearly empty. */
	private static final int ROUND = 16;

	private final RecordingListener events = new RecordingListener();

	@RegisterExtension
	final Servers servers = new Servers().reportingTo(this.events);

	/** The members the server's handlers joined as, in order. */
	private final List<ConnectionGroup.Member> members = new CopyOnWriteArrayList<>();

	/** Messages broadcast so far, in order. */
	private final List<String> sent = new ArrayList<>();

	@Test
	void aMemberThatNeverReadsIsCutAtItsBoundWhileEveryOtherMemberGetsEveryMessage() throws Exception {
		ConnectionGroup group = new ConnectionGroup("bounded", 64 * 1024);
		// no write timeout: only the bound can cut the silent member, and a broadcast waiting on it would hang here
		StreamServer server = serve(group, Duration.ZERO);
		List<LineReader> readers = readers(server, 3);
		Socket silent = silent(server);
		await().atMost(PATIENCE).until(() -> group.size() == 4);
		assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
			while (group.disconnectedSlowMembers() == 0) {
				broadcastRound(group, readers, 1024);
			}
			// the others go on
			broadcastRound(group, readers, 1024);
		});
		assertThat(group.size()).isEqualTo(3);
		for (LineReader reader : readers) {
			assertThat(reader.lines()).as("what %s received", reader).isEqualTo(this.sent);
		}
		assertClosedByServer(silent);
		// the server cut it on purpose: its handler's failed read is no error
		await().atMost(PATIENCE).until(() -> this.events.outcomes.size() == 1);
		assertThat(this.events.outcomes).containsExactly(HandlerOutcome.SUCCESS);
		assertThat(this.events.timedOut).isEmpty();
	}

	@Test
	void aBroadcastNeverWaitsForAMemberWhoseSocketIsFull() throws Exception {
		ConnectionGroup group = new ConnectionGroup("patient", 8 * 1024 * 1024);
		StreamServer server = serve(group, Duration.ZERO);
		List<LineReader> readers = readers(server, 2);
		Socket silent = silent(server);
		await().atMost(PATIENCE).until(() -> group.size() == 3);
		ConnectionGroup.Member stuck = memberOf(silent);
		assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
			// several times what the socket buffers hold queued: its writer is blocked in a write
			while (stuck.queuedBytes() < 256 * 1024) {
				broadcastRound(group, readers, 1024);
			}
		});
		long queued = stuck.queuedBytes();
		assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
			for (int i = 0; i < 20; i++) {
				broadcastRound(group, readers, 1024);
			}
		});
		assertThat(stuck.queuedBytes()).as("still stuck, and still queued for").isGreaterThan(queued);
		assertThat(stuck.hasLeft()).isFalse();
		assertThat(stuck.writer().getState()).isNotEqualTo(Thread.State.TERMINATED);
		for (LineReader reader : readers) {
			assertThat(reader.lines()).as("what %s received", reader).isEqualTo(this.sent);
		}
		assertThat(group.disconnectedSlowMembers()).isZero();
	}

	@Test
	void aMemberWhoseSocketStopsDrainingIsCutByTheWriteTimeout() throws Exception {
		ConnectionGroup group = new ConnectionGroup("timed", 8 * 1024 * 1024);
		StreamServer server = serve(group, Duration.ofMillis(300));
		List<LineReader> readers = readers(server, 1);
		Socket silent = silent(server);
		await().atMost(PATIENCE).until(() -> group.size() == 2);
		assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
			while (group.size() == 2) {
				broadcastRound(group, readers, 1024);
			}
		});
		assertClosedByServer(silent);
		assertThat(this.events.timedOut).containsExactly(ServerEventListener.TIMED_OUT_WRITE);
		assertThat(group.disconnectedSlowMembers()).isZero();
		broadcastRound(group, readers, 1024);
		assertThat(readers.get(0).lines()).isEqualTo(this.sent);
	}

	@Test
	void aMemberThatLeavesIsRemoved() throws Exception {
		ConnectionGroup group = new ConnectionGroup("leaving");
		StreamServer server = serve(group, Duration.ZERO);
		List<LineReader> readers = readers(server, 2);
		Socket leaving = this.servers.autoClose(Clients.connect(server.getServerPort()));
		await().atMost(PATIENCE).until(() -> group.size() == 3);
		ConnectionGroup.Member member = memberOf(leaving);
		leaving.close();
		// its handler reads the end of the stream and leaves
		await().atMost(PATIENCE).until(() -> group.size() == 2);
		assertThat(member.hasLeft()).isTrue();
		await().atMost(PATIENCE).until(() -> !member.writer().isAlive());
		assertThat(broadcastRound(group, readers, 10)).isEqualTo(2 * ROUND);
		assertThat(readers.get(0).lines()).isEqualTo(this.sent);

		// leaving from the handler's side, while the connection stays open
		ConnectionGroup.Member staying = this.members.stream().filter((m) -> !m.hasLeft()).findFirst().orElseThrow();
		staying.close();
		staying.close();
		assertThat(staying.hasLeft()).isTrue();
		assertThat(staying.writer().isAlive()).isFalse();
		assertThat(group.size()).isEqualTo(1);
		assertThat(group.broadcast("m\n".getBytes(StandardCharsets.US_ASCII), null)).isOne();
		assertThat(staying.getConnection().isOpen()).isTrue();
	}

	@Test
	void aMemberIsNotSentItsOwnMessages() throws Exception {
		ConnectionGroup group = new ConnectionGroup("echoless");
		StreamServer server = serve(group, Duration.ZERO);
		List<LineReader> readers = readers(server, 3);
		await().atMost(PATIENCE).until(() -> group.size() == 3);
		readers.get(0).socket.getOutputStream().write("from a\n".getBytes(StandardCharsets.US_ASCII));
		await().atMost(PATIENCE).until(() -> readers.get(1).lines().size() == 1 && readers.get(2).lines().size() == 1);
		// the sender would have it first, from the same broadcast: a marker to it from elsewhere proves it did not
		readers.get(1).socket.getOutputStream().write("from b\n".getBytes(StandardCharsets.US_ASCII));
		await().atMost(PATIENCE).until(() -> readers.get(0).lines().size() == 1);
		assertThat(readers.get(0).lines()).containsExactly("from b");
		assertThat(readers.get(2).lines()).containsExactly("from a", "from b");
	}

	@Test
	void closingTheGroupEndsItsWriterThreadsAndLeavesTheConnectionsOpen() throws Exception {
		ConnectionGroup group = new ConnectionGroup("closing");
		StreamServer server = serve(group, Duration.ZERO);
		List<LineReader> readers = readers(server, 2);
		await().atMost(PATIENCE).until(() -> group.size() == 2);
		assertThat(this.members).extracting((member) -> member.writer().getName())
			.allMatch((name) -> name.startsWith("closing-writer-"));
		group.close();
		group.close();
		assertThat(group.isClosed()).isTrue();
		assertThat(group.size()).isZero();
		for (ConnectionGroup.Member member : this.members) {
			assertThat(member.hasLeft()).isTrue();
			await().atMost(PATIENCE).until(() -> !member.writer().isAlive());
			assertThat(member.getConnection().isOpen()).isTrue();
		}
		assertThat(group.broadcast("m\n".getBytes(StandardCharsets.US_ASCII), null)).isZero();
		assertThatIllegalStateException().isThrownBy(() -> group.join(this.members.get(0).getConnection()))
			.withMessageContaining("closing");
		assertThat(readers.get(0).lines()).isEmpty();
	}

	@Test
	void boundsAreValidated() throws Exception {
		assertThat(new ConnectionGroup("default").getMaxQueuedBytesPerMember()).isEqualTo(1024 * 1024);
		assertThatIllegalArgumentException().isThrownBy(() -> new ConnectionGroup("zero", 0))
			.withMessageContaining("maxQueuedBytesPerMember");
		assertThatIllegalArgumentException().isThrownBy(() -> new ConnectionGroup("negative", -1));
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new ConnectionGroup("overhead", ConnectionGroup.MESSAGE_OVERHEAD));
		assertThatNullPointerException().isThrownBy(() -> new ConnectionGroup(null, 1024));

		ConnectionGroup group = new ConnectionGroup("small", 1024);
		StreamServer server = serve(group, Duration.ZERO);
		List<LineReader> readers = readers(server, 1);
		await().atMost(PATIENCE).until(() -> group.size() == 1);
		// larger than any queue may hold: refused, not a reason to cut everyone
		assertThatIllegalArgumentException()
			.isThrownBy(() -> group.broadcast(new byte[1024 - ConnectionGroup.MESSAGE_OVERHEAD + 1], null))
			.withMessageContaining("1024");
		assertThat(group.broadcast(new byte[0], null)).isZero();
		byte[] largest = new byte[1024 - ConnectionGroup.MESSAGE_OVERHEAD];
		Arrays.fill(largest, (byte) 'x');
		largest[largest.length - 1] = '\n';
		assertThat(group.broadcast(largest, null)).isOne();
		await().atMost(PATIENCE).until(() -> readers.get(0).lines().size() == 1);
		assertThat(group.size()).isOne();
		assertThat(group.disconnectedSlowMembers()).isZero();
	}

	/**
	 * A server whose handlers join {@code group} and broadcast each line they read to the others,
	 * with small send buffers.
	 */
	private StreamServer serve(ConnectionGroup group, Duration writeTimeout) throws IOException {
		StreamServer server = new StreamServer("127.0.0.1:0", (connection) -> {
			((SocketConnection) connection).getChannel().setOption(StandardSocketOptions.SO_SNDBUF, SMALL_BUFFER);
			FrameReader in = FrameReader.of(connection);
			try (ConnectionGroup.Member me = group.join(connection)) {
				this.members.add(me);
				for (String line; (line = in.readLine()) != null;) {
					group.broadcast((line + "\n").getBytes(StandardCharsets.UTF_8), me);
				}
			}
		});
		server.setWriteTimeout(writeTimeout);
		return this.servers.start(server);
	}

	/** Broadcasts a round of numbered messages of {@code size} bytes and waits for every reader to have them; returns how many were queued. */
	private int broadcastRound(ConnectionGroup group, List<LineReader> readers, int size) {
		int queued = 0;
		for (int i = 0; i < ROUND; i++) {
			String number = "m" + this.sent.size() + " ";
			String line = number + "x".repeat(Math.max(0, size - number.length() - 1));
			this.sent.add(line);
			queued += group.broadcast((line + "\n").getBytes(StandardCharsets.US_ASCII), null);
		}
		int expected = this.sent.size();
		await().atMost(PATIENCE)
			.pollDelay(Duration.ZERO)
			.pollInterval(Duration.ofMillis(5))
			.until(() -> readers.stream().allMatch((reader) -> reader.count() >= expected));
		return queued;
	}

	private List<LineReader> readers(StreamServer server, int count) throws IOException {
		List<LineReader> readers = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			readers.add(new LineReader(this.servers.autoClose(Clients.connect(server.getServerPort()))));
		}
		return readers;
	}

	/** Connects a client that never reads, with a small receive buffer (set before connecting, so that the window is small too). */
	private Socket silent(StreamServer server) throws IOException {
		Socket socket = new Socket();
		socket.setReceiveBufferSize(4 * 1024);
		socket.connect(new InetSocketAddress("127.0.0.1", server.getServerPort()), Clients.PATIENCE_MILLIS);
		socket.setSoTimeout(Clients.PATIENCE_MILLIS);
		return this.servers.autoClose(socket);
	}

	private ConnectionGroup.Member memberOf(Socket client) {
		return this.members.stream()
			.filter((member) -> ((InetSocketAddress) member.getConnection().getRemoteAddress())
				.getPort() == client.getLocalPort())
			.findFirst()
			.orElseThrow();
	}

	/** Reads what the server left in the socket's buffers, then sees the end of the stream (or a reset). */
	private static void assertClosedByServer(Socket silent) throws IOException {
		byte[] received = Clients.readUntilClosed(silent);
		assertThat(received.length).as("bytes the silent client got before it was cut").isGreaterThan(0);
	}

	/** A client reading lines on a thread of its own until its socket closes. */
	private static final class LineReader {

		final Socket socket;

		private final List<String> lines = Collections.synchronizedList(new ArrayList<>());

		private final Thread thread;

		LineReader(Socket socket) {
			this.socket = socket;
			this.thread = new Thread(this::read, "reader-" + socket.getLocalPort());
			this.thread.setDaemon(true);
			this.thread.start();
		}

		private void read() {
			try {
				// buffered: Clients.readLine reads a byte at a time
				InputStream in = new BufferedInputStream(this.socket.getInputStream());
				for (String line; (line = Clients.readLine(in)) != null;) {
					this.lines.add(line);
				}
			}
			catch (IOException ex) {
				// closed after the test
			}
		}

		int count() {
			return this.lines.size();
		}

		List<String> lines() {
			synchronized (this.lines) {
				return new ArrayList<>(this.lines);
			}
		}

		@Override
		public String toString() {
			return this.thread.getName();
		}

	}

}
