package dev.gserver;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.awaitility.Awaitility.await;

@Timeout(60)
class DatagramServerTest {

	private final RecordingListener events = new RecordingListener();

	@RegisterExtension
	final Servers servers = new Servers().reportingTo(this.events);

	private DatagramServer started(DatagramHandler handler, Spawn spawn) throws Exception {
		return this.servers.start(new DatagramServer("127.0.0.1:0", handler, spawn));
	}

	/** gevent's UDP echo example: b'Test udp_server' gives b'Received 15 bytes'. */
	static void receivedBytes(Datagram datagram) throws Exception {
		datagram.reply(("Received " + datagram.getData().length + " bytes").getBytes(StandardCharsets.US_ASCII));
	}

	@Test
	void answersLikeGeventsUdpExample() throws Exception {
		DatagramServer server = started(DatagramServerTest::receivedBytes, Spawn.DEFAULT);
		try (DatagramSocket client = client()) {
			assertThat(exchange(client, server, "Test udp_server")).isEqualTo("Received 15 bytes");
		}
		assertThat(server.getServerHost()).isEqualTo("127.0.0.1");
		assertThat(server.getServerPort()).isPositive();
		assertThat(server.toString()).startsWith("<DatagramServer address=127.0.0.1:" + server.getServerPort());
	}

	@Test
	void echoesAThousandDatagramsFromSeveralSenders() throws Exception {
		DatagramServer server = started((datagram) -> datagram.reply(datagram.getData()), Spawn.pool(16));
		int senders = 4;
		int perSender = 250;
		ExecutorService threads = Executors.newFixedThreadPool(senders);
		try {
			List<Future<Set<String>>> answers = new ArrayList<>();
			for (int s = 0; s < senders; s++) {
				int sender = s;
				answers.add(threads.submit(() -> {
					Set<String> echoed = new HashSet<>();
					try (DatagramSocket client = client()) {
						for (int i = 0; i < perSender; i++) {
							// one at a time: a lost datagram would be UDP's doing, not the server's
							echoed.add(exchange(client, server, sender + ":" + i));
						}
					}
					return echoed;
				}));
			}
			for (int s = 0; s < senders; s++) {
				Set<String> echoed = answers.get(s).get(30, TimeUnit.SECONDS);
				assertThat(echoed).hasSize(perSender).contains(s + ":0", s + ":" + (perSender - 1));
			}
		}
		finally {
			threads.shutdownNow();
		}
		assertThat(server.getAcceptedCount()).isEqualTo(senders * perSender);
		await().atMost(Duration.ofSeconds(10)).until(() -> this.events.outcomes.size() == senders * perSender);
		assertThat(server.getBytesReceived()).isEqualTo(server.getBytesSent()).isPositive();
	}

	@Test
	void fullPoolLeavesDatagramsInTheSocketBufferUntilASlotFrees() throws Exception {
		CountDownLatch release = new CountDownLatch(1);
		CountDownLatch holding = new CountDownLatch(1);
		DatagramServer server = started((datagram) -> {
			if (new String(datagram.getData(), StandardCharsets.US_ASCII).equals("hold")) {
				holding.countDown();
				release.await();
			}
			datagram.reply(datagram.getData());
		}, Spawn.pool(1));
		try (DatagramSocket holder = client(); DatagramSocket waiting = client()) {
			send(holder, server, "hold");
			assertThat(holding.await(10, TimeUnit.SECONDS)).isTrue();
			for (int i = 0; i < 5; i++) {
				send(waiting, server, "w" + i);
			}
			await().atMost(Duration.ofSeconds(10)).until(() -> server.getAcceptState() == AcceptState.POOL_FULL);
			assertThat(server.getAcceptedCount()).isEqualTo(1);
			release.countDown();
			assertThat(receive(holder)).isEqualTo("hold");
			Set<String> answers = new HashSet<>();
			for (int i = 0; i < 5; i++) {
				answers.add(receive(waiting));
			}
			assertThat(answers).containsExactlyInAnyOrder("w0", "w1", "w2", "w3", "w4");
		}
	}

	/** Where recvfrom would cut a long datagram short without a word, it is dropped and counted. */
	@Test
	void dropsAndCountsADatagramLongerThanTheBufferSize() throws Exception {
		DatagramServer server = new DatagramServer("127.0.0.1:0", DatagramServerTest::receivedBytes);
		server.setBufferSize(10);
		this.servers.start(server);
		try (DatagramSocket client = client()) {
			send(client, server, "x".repeat(100));
			send(client, server, "x".repeat(11));
			// a datagram on loopback from one socket keeps its order: the first answer is the third's
			assertThat(exchange(client, server, "x".repeat(7))).isEqualTo("Received 7 bytes");
			assertThat(exchange(client, server, "x".repeat(10))).isEqualTo("Received 10 bytes");
		}
		assertThat(server.getTruncatedCount()).isEqualTo(2);
		assertThatIllegalArgumentException().isThrownBy(() -> server.setBufferSize(65508));
	}

	@Test
	void sendToIsSafeFromManyThreads() throws Exception {
		DatagramServer server = started((datagram) -> {
		}, Spawn.DEFAULT);
		try (DatagramSocket client = client()) {
			InetSocketAddress target = new InetSocketAddress("127.0.0.1", client.getLocalPort());
			ExecutorService threads = Executors.newFixedThreadPool(4);
			try {
				List<Future<Boolean>> sent = new ArrayList<>();
				for (int i = 0; i < 100; i++) {
					byte[] payload = ("message " + i).getBytes(StandardCharsets.US_ASCII);
					sent.add(threads.submit(() -> server.sendTo(payload, target)));
				}
				for (Future<Boolean> each : sent) {
					assertThat(each.get(10, TimeUnit.SECONDS)).isTrue();
				}
			}
			finally {
				threads.shutdownNow();
			}
			Set<String> received = new HashSet<>();
			for (int i = 0; i < 100; i++) {
				received.add(receive(client));
			}
			assertThat(received).hasSize(100).allMatch((message) -> message.matches("message \\d+"));
		}
	}

	@Test
	void stoppedServerNoLongerReads() throws Exception {
		DatagramServer server = started(DatagramServerTest::receivedBytes, Spawn.DEFAULT);
		int port = server.getServerPort();
		server.stop();
		assertThat(server.isClosed()).isTrue();
		try (DatagramSocket client = client()) {
			client.setSoTimeout(Clients.SILENCE_MILLIS);
			send(client, port, "anyone?");
			org.assertj.core.api.Assertions.assertThatException().isThrownBy(() -> receive(client))
				.isInstanceOfAny(SocketTimeoutException.class, java.net.PortUnreachableException.class);
		}
	}

	private static DatagramSocket client() throws Exception {
		DatagramSocket socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
		socket.setSoTimeout(10_000);
		return socket;
	}

	private static String exchange(DatagramSocket client, DatagramServer server, String message) throws Exception {
		send(client, server, message);
		return receive(client);
	}

	private static void send(DatagramSocket client, DatagramServer server, String message) throws Exception {
		send(client, server.getServerPort(), message);
	}

	private static void send(DatagramSocket client, int port, String message) throws Exception {
		byte[] bytes = message.getBytes(StandardCharsets.US_ASCII);
		client.send(new DatagramPacket(bytes, bytes.length, InetAddress.getByName("127.0.0.1"), port));
	}

	private static String receive(DatagramSocket client) throws Exception {
		DatagramPacket packet = new DatagramPacket(new byte[65536], 65536);
		client.receive(packet);
		return new String(packet.getData(), 0, packet.getLength(), StandardCharsets.US_ASCII);
	}

}
