package dev.gserver.autoconfigure;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.gserver.Clients;
import dev.gserver.FailingAcceptServer;
import dev.gserver.Handler;
import dev.gserver.StreamServer;
import dev.gserver.codec.FrameException;
import dev.gserver.codec.RespReader;
import dev.gserver.codec.RespWriter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Each meter moves exactly as the events happen. */
@Timeout(60)
class GServerMetricsTest {

	private final ApplicationContextRunner runner = Runners
		.onLoopback(GServerAutoConfiguration.class, GServerMetricsAutoConfiguration.class)
		.withBean(SimpleMeterRegistry.class);

	@Test
	void countsConnectionsBytesAndHandlerTimesTaggedWithTheBeanName() {
		this.runner.withBean(Handler.class, () -> GServerMetricsTest::echoLine).run((context) -> {
			MeterRegistry registry = context.getBean(MeterRegistry.class);
			int port = context.getBean(StreamServer.class).getServerPort();
			for (int i = 0; i < 3; i++) {
				assertThat(Clients.request(port, "hello\n")).isEqualTo("hello\n");
			}
			await().atMost(Duration.ofSeconds(10))
				.until(() -> timerCount(registry, "success") == 3);
			assertThat(registry.get("gserver.connections.accepted").tag("name", "gserver").counter().count())
				.isEqualTo(3);
			assertThat(registry.get("gserver.connections.rejected").tag("reason", "pool-full").counter().count()).isZero();
			assertThat(registry.get("gserver.connections.rejected").tag("reason", "per-address").counter().count()).isZero();
			assertThat(registry.get("gserver.connections.active").gauge().value()).isZero();
			assertThat(registry.get("gserver.bytes.received").functionCounter().count()).isEqualTo(18);
			assertThat(registry.get("gserver.bytes.sent").functionCounter().count()).isEqualTo(18);
			assertThat(timerCount(registry, "error")).isZero();
			assertThat(registry.find("gserver.pool.size").gauge()).isNull();
			assertThat(registry.get("gserver.connections.accepted").meter().getId().getDescription()).isNotBlank();
			assertThat(registry.get("gserver.connections.accepted").meter().getId().getBaseUnit())
				.isEqualTo("connections");
		});
	}

	@Test
	void countsHandlerErrors() {
		this.runner.withBean(Handler.class, () -> (connection) -> {
			throw new IllegalStateException("handler bug");
		}).run((context) -> {
			MeterRegistry registry = context.getBean(MeterRegistry.class);
			int port = context.getBean(StreamServer.class).getServerPort();
			assertThat(Clients.request(port, "")).isEmpty();
			await().atMost(Duration.ofSeconds(10)).until(() -> timerCount(registry, "error") == 1);
			assertThat(timerCount(registry, "success")).isZero();
		});
	}

	@Test
	void countsRefusedProxyHeadersByReasonAndServesTheProxiedClient() {
		this.runner.withBean(Handler.class, () -> (connection) -> connection.getOutputStream()
			.write(dev.gserver.Addresses.format(connection.getRemoteAddress()).getBytes(StandardCharsets.US_ASCII)))
			.withPropertyValues("gserver.proxy-protocol.mode=required", "gserver.proxy-protocol.trusted=127.0.0.0/8")
			.run((context) -> {
				MeterRegistry registry = context.getBean(MeterRegistry.class);
				int port = context.getBean(StreamServer.class).getServerPort();
				assertThat(Clients.request(port, "PROXY TCP4 192.0.2.7 127.0.0.1 5000 7000\r\n")).isEqualTo("192.0.2.7:5000");
				// each sends no more than the server reads before it refuses, so the close is clean
				assertThat(Clients.request(port, "x")).isEmpty();
				assertThat(Clients.request(port, "PROXY TCP4 192.0.2.7 127.0.0.1 5000 99999\r\n")).isEmpty();
				await().atMost(Duration.ofSeconds(10))
					.until(() -> registry.find("gserver.proxy.errors").counters().size() == 2);
				assertThat(registry.get("gserver.proxy.errors").tag("reason", "missing").tag("name", "gserver").counter()
					.count()).isEqualTo(1);
				assertThat(registry.get("gserver.proxy.errors").tag("reason", "malformed").counter().count()).isEqualTo(1);
				assertThat(timerCount(registry, "success")).isEqualTo(1);
			});
	}

	@Test
	void countsAFrameRefusedForTheInputBudgetAndShowsWhatIsHeld() {
		this.runner.withBean(Handler.class, () -> GServerMetricsTest::setOrPing)
			.withPropertyValues("gserver.input-budget=64KB")
			.run((context) -> {
				MeterRegistry registry = context.getBean(MeterRegistry.class);
				StreamServer server = context.getBean(StreamServer.class);
				assertThat(server.getInputBudget().getLimit()).isEqualTo(64 * 1024);
				// a 1 MB value, well within the reader's limits, but past the whole server's budget of 64 KB
				byte[] value = new byte[256 * 1024];
				java.util.Arrays.fill(value, (byte) 'v');
				try (Socket large = Clients.connect(server.getServerPort())) {
					OutputStream out = large.getOutputStream();
					out.write("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1000000\r\n".getBytes(StandardCharsets.US_ASCII));
					try {
						out.write(value);
						out.flush();
					}
					catch (IOException ex) {
						// refused and closed under the write: what is expected
					}
					// Redis's error, unless the close with the value's rest unread reset the connection first
					String reply = new String(Clients.readUntilClosed(large), StandardCharsets.US_ASCII);
					assertThat(reply.isEmpty() || reply.startsWith("-ERR")).as(reply).isTrue();
				}
				await().atMost(Duration.ofSeconds(10))
					.until(() -> registry.find("gserver.frames.rejected").tag("reason", "over-budget").counter() != null);
				assertThat(registry.get("gserver.frames.rejected").tag("reason", "over-budget").counter().count())
					.isEqualTo(1);
				try (Socket small = Clients.connect(server.getServerPort())) {
					small.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
					assertThat(Clients.readLine(small.getInputStream()).strip()).isEqualTo("+PONG");
				}
				await().atMost(Duration.ofSeconds(10))
					.until(() -> registry.get("gserver.input.budget.used").gauge().value() == 0);
				assertThat(registry.get("gserver.input.budget.waits").functionCounter().count()).isZero();
			});
	}

	/** Answers a PING, and a SET (if it fits); a refused frame gets Redis's error and a close. */
	private static void setOrPing(dev.gserver.Connection connection) throws IOException {
		RespReader reader = RespReader.of(connection);
		RespWriter writer = RespWriter.of(connection);
		try {
			for (List<byte[]> command; (command = reader.readCommand()) != null;) {
				if (command.size() == 1) {
					writer.pong().flush();
				}
				else {
					writer.ok().flush();
				}
			}
		}
		catch (FrameException ex) {
			writer.error("ERR " + ex.getMessage()).flush();
		}
	}

	/**
	 * Behind a PROXY-protocol balancer on 127.0.0.1, with a pool of 2 that drops when full and one
	 * connection per client address: a second connection from one address is rejected for
	 * {@code per-address}, and one more once two addresses fill the pool for {@code pool-full}.
	 */
	@Test
	void countsRejectionsByReasonPerAddressAndPoolFull() {
		this.runner.withBean(Handler.class, () -> (connection) -> {
			String greeting = dev.gserver.Addresses.format(connection.getRemoteAddress()) + "\n";
			connection.getOutputStream().write(greeting.getBytes(StandardCharsets.US_ASCII));
			echoLine(connection);
		})
			.withPropertyValues("gserver.spawn=2", "gserver.drop-when-full=true", "gserver.max-connections-per-address=1",
					"gserver.proxy-protocol.mode=required", "gserver.proxy-protocol.trusted=127.0.0.1/32")
			.run((context) -> {
				MeterRegistry registry = context.getBean(MeterRegistry.class);
				StreamServer server = context.getBean(StreamServer.class);
				int port = server.getServerPort();
				// both series from start-up, at 0, each with its reason: every series of the name has the tag
				assertThat(registry.find("gserver.connections.rejected").counters())
					.extracting((counter) -> counter.getId().getTag("reason"))
					.containsExactlyInAnyOrder("pool-full", "per-address");
				try (Socket first = proxied(port, "10.0.0.1")) {
					assertThat(Clients.readLine(first.getInputStream())).isEqualTo("10.0.0.1:1234");
					try (Socket capped = proxied(port, "10.0.0.1")) {
						assertThat(Clients.isClosedWithoutData(capped)).isTrue();
					}
					await().atMost(Duration.ofSeconds(10)).until(() -> rejected(registry, "per-address") == 1);
					// the refused connection's pool slot is free again before the next takes it
					await().atMost(Duration.ofSeconds(10)).until(() -> server.getActiveConnections() == 1);
					try (Socket second = proxied(port, "10.0.0.2")) {
						assertThat(Clients.readLine(second.getInputStream())).isEqualTo("10.0.0.2:1234");
						try (Socket dropped = Clients.connect(port)) {
							assertThat(Clients.isClosedWithoutData(dropped)).isTrue();
						}
						await().atMost(Duration.ofSeconds(10)).until(() -> rejected(registry, "pool-full") == 1);
					}
				}
				assertThat(rejected(registry, "per-address")).isEqualTo(1);
				assertThat(registry.find("gserver.connections.rejected").counters()).hasSize(2)
					.allSatisfy((counter) -> assertThat(counter.getId().getTag("name")).isEqualTo("gserver"));
				assertThat(server.getRejectedCount()).isEqualTo(2);
				assertThat(server.getRejectedPerAddressCount()).isEqualTo(1);
			});
	}

	private static Socket proxied(int port, String source) throws IOException {
		Socket client = Clients.connect(port);
		client.getOutputStream().write(("PROXY TCP4 " + source + " 10.0.0.9 1234 7000\r\n").getBytes(StandardCharsets.US_ASCII));
		return client;
	}

	private static double rejected(MeterRegistry registry, String reason) {
		return registry.get("gserver.connections.rejected").tag("reason", reason).counter().count();
	}

	@Test
	void poolOfTwoWithThreeSlowClientsSaturatesOnceAndReadsFull() {
		CountDownLatch release = new CountDownLatch(1);
		CountDownLatch handling = new CountDownLatch(2);
		Handler slow = (connection) -> {
			handling.countDown();
			release.await();
			connection.getOutputStream().write('!');
		};
		this.runner.withBean(Handler.class, () -> slow).withPropertyValues("gserver.spawn=2").run((context) -> {
			MeterRegistry registry = context.getBean(MeterRegistry.class);
			int port = context.getBean(StreamServer.class).getServerPort();
			List<Socket> clients = new ArrayList<>();
			try {
				for (int i = 0; i < 3; i++) {
					clients.add(Clients.connect(port));
				}
				assertThat(handling.await(10, TimeUnit.SECONDS)).isTrue();
				await().atMost(Duration.ofSeconds(10))
					.until(() -> registry.get("gserver.pool.saturated").counter().count() == 1);
				assertThat(registry.get("gserver.pool.size").gauge().value()).isEqualTo(2);
				assertThat(registry.get("gserver.pool.active").gauge().value()).isEqualTo(2);
				assertThat(registry.get("gserver.pool.usage").gauge().value()).isEqualTo(1.0);
				assertThat(registry.get("gserver.connections.active").gauge().value()).isEqualTo(2);
				assertThat(registry.get("gserver.connections.accepted").counter().count()).isEqualTo(2);
				release.countDown();
				for (Socket client : clients) {
					assertThat(client.getInputStream().read()).isEqualTo('!');
				}
				await().atMost(Duration.ofSeconds(10)).until(() -> timerCount(registry, "success") == 3);
				assertThat(registry.get("gserver.connections.accepted").counter().count()).isEqualTo(3);
				assertThat(registry.get("gserver.pool.usage").gauge().value()).isZero();
			}
			finally {
				for (Socket client : clients) {
					client.close();
				}
			}
		});
	}

	@Test
	void countsAcceptErrorsByExceptionAndFatality() {
		this.runner.withUserConfiguration(FailingServer.class).run((context) -> {
			MeterRegistry registry = context.getBean(MeterRegistry.class);
			FailingAcceptServer server = context.getBean(FailingAcceptServer.class);
			int port = server.getServerPort();
			server.failNextAccept(new IOException("Too many open files"));
			server.failNextAccept(new IOException("Too many open files"));
			assertThat(Clients.request(port, "hello\n")).isEqualTo("hello\n");
			assertThat(registry.get("gserver.accept.errors")
				.tags("name", "failingServer", "exception", "IOException", "fatal", "false")
				.counter()
				.count()).isEqualTo(2);
			server.failNextAccept(new ClosedChannelException());
			try {
				// a trigger, reset if the listener closes with it queued (Clients.poke takes that)
				Clients.poke(port);
			}
			catch (ConnectException ex) {
				// the accept thread met the failure looking for more right after the last client,
				// and closed before this connected
			}
			await().atMost(Duration.ofSeconds(10)).until(server::isClosed);
			assertThat(registry.get("gserver.accept.state").tag("state", "failed").gauge().value()).isEqualTo(1);
			assertThat(registry.get("gserver.accept.state").tag("state", "accepting").gauge().value()).isZero();
			assertThat(registry.get("gserver.accept.errors")
				.tags("name", "failingServer", "exception", "ClosedChannelException", "fatal", "true")
				.counter()
				.count()).isEqualTo(1);
		});
	}

	@Test
	void handlerKilledAtStopIsTimedAsKilled() {
		CountDownLatch handling = new CountDownLatch(1);
		MeterRegistry[] registry = new MeterRegistry[1];
		this.runner.withBean(Handler.class, () -> (connection) -> {
			handling.countDown();
			new CountDownLatch(1).await();
		}).withPropertyValues("gserver.stop-timeout=0s").run((context) -> {
			registry[0] = context.getBean(MeterRegistry.class);
			Socket client = Clients.connect(context.getBean(StreamServer.class).getServerPort());
			assertThat(handling.await(10, TimeUnit.SECONDS)).isTrue();
			context.close();
			client.close();
		});
		assertThat(timerCount(registry[0], "killed")).isEqualTo(1);
		assertThat(timerCount(registry[0], "success")).isZero();
	}

	@Test
	void timesAClientThatResetsAsDisconnectedNotAsAnError() {
		this.runner.withBean(Handler.class, () -> (connection) -> {
			connection.getOutputStream().write('!');
			connection.getInputStream().transferTo(OutputStream.nullOutputStream());
		}).run((context) -> {
			MeterRegistry registry = context.getBean(MeterRegistry.class);
			try (Socket client = Clients.connect(context.getBean(StreamServer.class).getServerPort())) {
				// the handler is reading: the reset reaches it there
				assertThat(client.getInputStream().read()).isEqualTo('!');
				client.setSoLinger(true, 0);
			}
			await().atMost(Duration.ofSeconds(10)).until(() -> timerCount(registry, "disconnected") == 1);
			assertThat(timerCount(registry, "error")).isZero();
			assertThat(timerCount(registry, "success")).isZero();
		});
	}

	private static long timerCount(MeterRegistry registry, String outcome) {
		return registry.get("gserver.handler.duration").tag("outcome", outcome).timer().count();
	}

	static void echoLine(dev.gserver.Connection connection) throws IOException {
		InputStream in = connection.getInputStream();
		OutputStream out = connection.getOutputStream();
		int b;
		while ((b = in.read()) != -1) {
			out.write(b);
			if (b == '\n') {
				return;
			}
		}
	}

	@Configuration(proxyBeanMethods = false)
	static class FailingServer {

		@Bean
		FailingAcceptServer failingServer() {
			FailingAcceptServer server = new FailingAcceptServer(GServerMetricsTest::echoLine);
			server.setMinDelay(Duration.ofMillis(1));
			return server;
		}

	}

}
