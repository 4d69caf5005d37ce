package dev.gserver;

import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.MDC;

import dev.gserver.proxy.CidrRange;
import dev.gserver.proxy.ProxyProtocol;
import dev.gserver.proxy.ProxyProtocolMode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** What a server puts in the logs: the MDC on a handler's thread, and the line a stop starts with. */
@Timeout(30)
class ConnectionLogsTest {

	private static final Duration PATIENCE = Duration.ofMillis(Clients.PATIENCE_MILLIS);

	private final RecordingListener events = new RecordingListener();

	@RegisterExtension
	final Servers servers = new Servers().reportingTo(this.events);

	@RegisterExtension
	final LogCapture log = new LogCapture(BaseServer.class);

	/** The MDC each handler saw, in the order they ran. */
	private final List<Map<String, String>> seen = new CopyOnWriteArrayList<>();

	private void recordMdcAndPong(Connection connection) throws Exception {
		Map<String, String> mdc = MDC.getCopyOfContextMap();
		this.seen.add((mdc != null) ? mdc : Map.of());
		// what a handler adds to the MDC must not reach the next connection on the same thread
		MDC.put("user", "someone");
		Handlers.pong(connection);
	}

	@Test
	void theHandlersThreadCarriesTheServerTheConnectionAndTheClient() throws Exception {
		StreamServer server = new StreamServer("127.0.0.1:0", this::recordMdcAndPong);
		server.setName("orders");
		this.servers.start(server);
		String[] clients = new String[2];
		for (int i = 0; i < 2; i++) {
			try (Socket client = Clients.connect(server.getServerPort())) {
				clients[i] = "127.0.0.1:" + client.getLocalPort();
				assertThat(Clients.readLine(client.getInputStream())).isEqualTo("PONG");
			}
		}
		assertThat(this.seen).containsExactly(
				Map.of(ConnectionMdc.SERVER, "orders", ConnectionMdc.CONNECTION, "1", ConnectionMdc.CLIENT, clients[0]),
				Map.of(ConnectionMdc.SERVER, "orders", ConnectionMdc.CONNECTION, "2", ConnectionMdc.CLIENT, clients[1]));
	}

	@Test
	void aThreadThatServesConnectionAfterConnectionCarriesNothingFromTheLastOne() throws Exception {
		ExecutorService oneThread = Executors.newSingleThreadExecutor();
		try {
			StreamServer server = this.servers
				.start(new StreamServer("127.0.0.1:0", this::recordMdcAndPong, Spawn.of(oneThread)));
			for (int i = 0; i < 2; i++) {
				assertThat(Clients.request(server.getServerPort(), "")).isEqualTo("PONG");
			}
			await().atMost(PATIENCE).until(() -> this.events.outcomes.size() == 2);
			assertThat(this.seen.get(1)).doesNotContainKey("user").containsEntry(ConnectionMdc.CONNECTION, "2");
			// and once the handler ended, the thread's MDC is as the executor left it: empty
			assertThat(oneThread.submit(MDC::getCopyOfContextMap).get(10, TimeUnit.SECONDS)).isNullOrEmpty();
		}
		finally {
			oneThread.shutdownNow();
		}
	}

	@Test
	void theClientIsTheOneThePROXYHeaderTold() throws Exception {
		StreamServer server = new StreamServer("127.0.0.1:0", this::recordMdcAndPong);
		server.setProxyProtocol(
				ProxyProtocol.of(ProxyProtocolMode.REQUIRED).withTrusted(List.of(CidrRange.parse("127.0.0.1/32"))));
		this.servers.start(server);
		try (Socket client = Clients.connect(server.getServerPort())) {
			OutputStream out = client.getOutputStream();
			out.write("PROXY TCP4 192.0.2.1 198.51.100.2 56324 443\r\n".getBytes(StandardCharsets.US_ASCII));
			out.flush();
			assertThat(Clients.readLine(client.getInputStream())).isEqualTo("PONG");
		}
		assertThat(this.seen).singleElement().satisfies((mdc) -> assertThat(mdc)
			.containsEntry(ConnectionMdc.CLIENT, "192.0.2.1:56324")
			.containsEntry(ConnectionMdc.SERVER, ServerSettings.DEFAULT_NAME));
	}

	@Test
	void aHandlersFailureIsLoggedWithItsConnection() throws Exception {
		StreamServer server = this.servers.start(new StreamServer("127.0.0.1:0", (connection) -> {
			throw new IllegalStateException("boom");
		}));
		try (Socket client = Clients.connect(server.getServerPort())) {
			assertThat(Clients.isClosedWithoutData(client)).isTrue();
		}
		await().atMost(PATIENCE).until(() -> !this.log.reportedErrors().isEmpty());
		ILoggingEvent failure = this.log.events()
			.stream()
			.filter((event) -> event.getLevel() == Level.WARN)
			.findFirst()
			.orElseThrow();
		assertThat(failure.getMDCPropertyMap()).containsEntry(ConnectionMdc.CONNECTION, "1")
			.containsKeys(ConnectionMdc.SERVER, ConnectionMdc.CLIENT);
	}

	@Test
	void aStopSaysWhatItWaitsForAndHowLongBeforeItWaits() throws Exception {
		CountDownLatch running = new CountDownLatch(2);
		CountDownLatch release = new CountDownLatch(1);
		StreamServer server = new StreamServer("127.0.0.1:0", (connection) -> {
			running.countDown();
			release.await();
		});
		server.setName("orders");
		this.servers.start(server);
		try (Socket first = Clients.connect(server.getServerPort());
				Socket second = Clients.connect(server.getServerPort())) {
			assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
			Thread stopping = new Thread(() -> server.stop(Duration.ofSeconds(10)), "stopping");
			stopping.start();
			// the line is there while the stop still waits for the two handlers
			await().atMost(PATIENCE).until(() -> messages().stream().anyMatch((line) -> line.startsWith("Stopping")));
			assertThat(stopping.isAlive()).isTrue();
			release.countDown();
			stopping.join(PATIENCE.toMillis());
		}
		List<String> stops = messages().stream().filter((line) -> line.startsWith("Stop")).toList();
		assertThat(stops).hasSize(2);
		assertThat(stops.get(0)).startsWith("Stopping 'orders' <StreamServer address=127.0.0.1:")
			.endsWith(": waiting up to 10s for 2 handler(s), then ending their input and killing the rest");
		assertThat(stops.get(1)).startsWith("Stopped ");
		server.stop();
		assertThat(messages().stream().filter((line) -> line.startsWith("Stop"))).as("a second stop says nothing")
			.hasSize(2);
	}

	private List<String> messages() {
		return this.log.events()
			.stream()
			.filter((event) -> event.getLevel() == Level.INFO)
			.map(ILoggingEvent::getFormattedMessage)
			.toList();
	}

}
