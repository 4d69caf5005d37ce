package dev.gserver.autoconfigure;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.HealthContributor;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.gserver.DatagramHandler;
import dev.gserver.DatagramServer;
import dev.gserver.Handler;
import dev.gserver.StreamServer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A DatagramHandler bean gets a UDP server of its own, in the same life cycle, metrics and health. */
@Timeout(60)
class GServerUdpTest {

	private final ApplicationContextRunner runner = Runners
		.onLoopback(GServerAutoConfiguration.class, GServerMetricsAutoConfiguration.class,
				GServerHealthContributorAutoConfiguration.class)
		.withBean(SimpleMeterRegistry.class)
		.withPropertyValues("gserver.udp.address=127.0.0.1", "gserver.udp.port=0");

	private final DatagramHandler echo = (datagram) -> datagram.reply(datagram.getData());

	@Test
	void datagramHandlerBeanGetsAStartedUdpServer() {
		this.runner.withBean(DatagramHandler.class, () -> this.echo)
			.withPropertyValues("gserver.udp.spawn=4", "gserver.udp.buffer-size=512")
			.run((context) -> {
				assertThat(context).doesNotHaveBean(StreamServer.class);
				DatagramServer server = context.getBean("gserverUdp", DatagramServer.class);
				assertThat(server.isStarted()).isTrue();
				assertThat(server.getPool().size()).isEqualTo(4);
				assertThat(server.getBufferSize()).isEqualTo(512);
				int port = context.getEnvironment().getProperty("local.gserver.udp.port", Integer.class);
				assertThat(port).isEqualTo(server.getServerPort());
				assertThat(context.getEnvironment().getProperty("local.gserver.port")).isNull();
				assertThat(exchange(port, "hello")).isEqualTo("hello");
				MeterRegistry registry = context.getBean(MeterRegistry.class);
				await().atMost(Duration.ofSeconds(10))
					.until(() -> registry.get("gserver.handler.duration").tag("name", "gserverUdp").tag("outcome", "success")
						.timer()
						.count() == 1);
				assertThat(registry.get("gserver.datagrams.received").tag("name", "gserverUdp").counter().count())
					.isEqualTo(1);
				assertThat(registry.get("gserver.bytes.received").tag("name", "gserverUdp").functionCounter().count())
					.isEqualTo(5);
				assertThat(registry.get("gserver.datagrams.truncated").tag("name", "gserverUdp").functionCounter().count())
					.isZero();
				// 601 bytes, over the 512 set above: dropped, so the first answer is the next datagram's
				assertThat(exchange(port, "x".repeat(601), "short")).isEqualTo("short");
				assertThat(registry.get("gserver.datagrams.truncated").tag("name", "gserverUdp").functionCounter().count())
					.isEqualTo(1);
			});
		}

	@Test
	void tcpAndUdpServersSideBySide() {
		this.runner.withBean(DatagramHandler.class, () -> this.echo)
			.withBean(Handler.class, () -> (connection) -> connection.getOutputStream().write('!'))
			.run((context) -> {
				assertThat(context).hasSingleBean(StreamServer.class).hasSingleBean(DatagramServer.class);
				assertThat(context.getEnvironment().getProperty("local.gserver.port", Integer.class))
					.isEqualTo(context.getBean(StreamServer.class).getServerPort());
				HealthContributor health = context.getBean("gserverHealthContributor", HealthContributor.class);
				assertThat(health).isInstanceOf(CompositeHealthContributor.class);
				assertThat(((CompositeHealthContributor) health).getContributor("gserverUdp")).isNotNull();
				assertThat(((CompositeHealthContributor) health).getContributor("gserver")).isNotNull();
			});
		DatagramServer[] server = new DatagramServer[1];
		this.runner.withBean(DatagramHandler.class, () -> this.echo)
			.run((context) -> server[0] = context.getBean(DatagramServer.class));
		assertThat(server[0].isClosed()).isTrue();
	}

	@Test
	void invalidUdpPropertiesFailNamingThem() {
		this.runner.withBean(DatagramHandler.class, () -> this.echo)
			.withPropertyValues("gserver.udp.buffer-size=70000")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("udp.bufferSize")
				.hasMessageContaining("70000"));
	}

	@Test
	void aNamedServerWithADatagramHandlerIsAUdpServer() {
		this.runner.withBean("beaconHandler", DatagramHandler.class, () -> this.echo)
			.withPropertyValues("gserver.servers.beacon.port=0", "gserver.servers.beacon.spawn=3", "gserver.udp.buffer-size=256")
			.run((context) -> {
				assertThat(context).doesNotHaveBean("gserverUdp");
				DatagramServer beacon = context.getBean("beacon", DatagramServer.class);
				assertThat(beacon.getName()).isEqualTo("beacon");
				assertThat(beacon.getPool().size()).isEqualTo(3);
				assertThat(beacon.getBufferSize()).isEqualTo(256);
				int port = context.getEnvironment().getProperty("local.gserver.beacon.port", Integer.class);
				assertThat(exchange(port, "ping")).isEqualTo("ping");
			});
	}

	/** Sends each message in order from one socket, and returns the first answer. */
	private static String exchange(int port, String... messages) throws Exception {
		try (DatagramSocket client = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
			client.setSoTimeout(10_000);
			for (String message : messages) {
				byte[] bytes = message.getBytes(StandardCharsets.US_ASCII);
				client.send(new DatagramPacket(bytes, bytes.length, InetAddress.getByName("127.0.0.1"), port));
			}
			DatagramPacket answer = new DatagramPacket(new byte[1024], 1024);
			client.receive(answer);
			return new String(answer.getData(), 0, answer.getLength(), StandardCharsets.US_ASCII);
		}
	}

}
