package dev.gserver;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Supplier;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.gserver.ServerEventListener.HandlerOutcome;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Spec, behaviour 1: a handler's exception closes its connection, is logged, and never stops
 * the server. Here half of 100 clients, all connected and served at the same time, make their
 * handler throw while the other half hold a conversation with theirs.
 */
@Timeout(60)
class ConcurrentClientsTest {

	private static final int CLIENTS = Spawns.CONCURRENT;

	private static final int ROUND_TRIPS = 20;

	private static final String BOOM = "boom";

	private static final Duration PATIENCE = Duration.ofMillis(Clients.PATIENCE_MILLIS);

	private final RecordingListener events = new RecordingListener();

	@RegisterExtension
	final Servers servers = new Servers().reportingTo(this.events);

	@Spawns.Concurrent
	void throwingHandlersDoNotDisturbConcurrentClients(Supplier<Spawn> spawn) throws Exception {
		StreamServer server = new StreamServer("127.0.0.1:0", ConcurrentClientsTest::echoUntilBoom, spawn.get());
		server.setName("concurrent-clients");
		this.servers.start(server);
		int port = server.getServerPort();

		CountDownLatch connected = new CountDownLatch(CLIENTS);
		CountDownLatch startGate = new CountDownLatch(1);
		AtomicIntegerArray echoes = new AtomicIntegerArray(CLIENTS);
		AtomicReferenceArray<String> boomEnds = new AtomicReferenceArray<>(CLIENTS);
		Queue<String> errors = new ConcurrentLinkedQueue<>();
		List<Thread> clients = new ArrayList<>();
		for (int c = 0; c < CLIENTS; c++) {
			int client = c;
			boolean boomer = isBoomer(client);
			clients.add(new Thread(() -> {
				try (Socket socket = Clients.connect(port)) {
					connected.countDown();
					if (!startGate.await(PATIENCE.toMillis(), TimeUnit.MILLISECONDS)) {
						throw new IllegalStateException("start gate never opened");
					}
					if (boomer) {
						boomEnds.set(client, sendBoom(socket));
					}
					else {
						for (int i = 0; i < ROUND_TRIPS; i++) {
							String line = "client " + client + " line " + i;
							String echo = Clients.echoLine(socket, line);
							if (!line.equals(echo)) {
								throw new AssertionError("sent '" + line + "', got back '" + echo + "'");
							}
							echoes.incrementAndGet(client);
						}
					}
				}
				catch (Throwable ex) {
					errors.add("client " + client + (boomer ? " (boom)" : "") + ": " + ex);
				}
			}, "concurrent-client-" + c));
		}
		try {
			clients.forEach(Thread::start);
			assertThat(connected.await(PATIENCE.toMillis(), TimeUnit.MILLISECONDS)).as("all clients connected")
				.isTrue();
			// every connection has its handler running before anyone sends a byte
			await().atMost(PATIENCE).until(() -> this.events.started.get() == CLIENTS);
			assertThat(server.getActiveConnections()).isEqualTo(CLIENTS);
		}
		finally {
			startGate.countDown();
			Clients.joinAll(clients, Duration.ofSeconds(30));
		}

		assertThat(errors).as("client errors").isEmpty();
		List<Integer> wellBehavedEchoes = new ArrayList<>();
		List<String> boomers = new ArrayList<>();
		for (int c = 0; c < CLIENTS; c++) {
			if (isBoomer(c)) {
				boomers.add(boomEnds.get(c));
			}
			else {
				wellBehavedEchoes.add(echoes.get(c));
			}
		}
		assertThat(wellBehavedEchoes).as("echoes per well-behaved client")
			.hasSize(CLIENTS / 2)
			.containsOnly(ROUND_TRIPS);
		assertThat(boomers).as("what each boom client saw").hasSize(CLIENTS / 2).allMatch((end) -> end.equals("EOF")
				|| end.equals("reset"));

		// the well-behaved handlers end when their clients close
		await().atMost(PATIENCE).until(() -> this.events.outcomes.size() == CLIENTS);
		assertThat(Collections.frequency(this.events.outcomes, HandlerOutcome.ERROR)).as("ERROR outcomes")
			.isEqualTo(CLIENTS / 2);
		assertThat(Collections.frequency(this.events.outcomes, HandlerOutcome.SUCCESS)).as("SUCCESS outcomes")
			.isEqualTo(CLIENTS / 2);
		assertThat(this.events.accepted).hasValue(CLIENTS);
		assertThat(this.events.rejected).hasValue(0);
		assertThat(this.events.acceptErrors).isEmpty();
		assertThat(this.events.closed).hasValue(0);

		// still serving
		assertThat(server.isStarted()).isTrue();
		assertThat(server.isClosed()).isFalse();
		assertThat(server.getFatalError()).isNull();
		try (Socket socket = Clients.connect(port)) {
			assertThat(Clients.echoLine(socket, "still there?")).isEqualTo("still there?");
		}
		assertThat(this.events.accepted).hasValue(CLIENTS + 1);
	}

	private static boolean isBoomer(int client) {
		return client % 2 == 0;
	}

	/** Sends "boom" and reads until the server closes: "EOF", "reset", or what came back instead. */
	private static String sendBoom(Socket socket) throws IOException {
		socket.getOutputStream().write((BOOM + "\n").getBytes(StandardCharsets.UTF_8));
		try {
			byte[] data = socket.getInputStream().readAllBytes();
			return (data.length == 0) ? "EOF" : "data: " + new String(data, StandardCharsets.UTF_8);
		}
		catch (SocketException ex) {
			return "reset";
		}
	}

	/** Echoes lines until the client closes, and throws on "boom" without answering. */
	static void echoUntilBoom(Connection connection) throws Exception {
		InputStream in = connection.getInputStream();
		OutputStream out = connection.getOutputStream();
		String line;
		while ((line = Clients.readLine(in)) != null) {
			if (BOOM.equals(line)) {
				throw new Boom(connection);
			}
			out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
			out.flush();
		}
	}

	/** What the handler throws on "boom". */
	static final class Boom extends RuntimeException {

		private static final long serialVersionUID = 1L;

		Boom(Connection connection) {
			super("boom from " + connection.getRemoteAddress(), null, false, false);
		}

	}

}
