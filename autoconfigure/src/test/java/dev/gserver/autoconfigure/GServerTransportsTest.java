package dev.gserver.autoconfigure;

import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.gserver.Clients;
import dev.gserver.Handler;
import dev.gserver.Handlers;
import dev.gserver.StreamServer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** gserver.address=unix:..., gserver.listener=inherited and gserver.idle-timeout through the starter. */
@Timeout(60)
class GServerTransportsTest {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(GServerAutoConfiguration.class, GServerMetricsAutoConfiguration.class))
		.withBean(SimpleMeterRegistry.class)
		.withBean(Handler.class, () -> Handlers::pong);

	@TempDir
	Path directory;

	@Test
	void listensOnAUnixSocketAndRemovesItOnClose() {
		Path file = this.directory.resolve("gserver.sock");
		List<StreamServer> servers = new ArrayList<>();
		this.runner.withPropertyValues("gserver.address=unix:" + file).run((context) -> {
			StreamServer server = context.getBean(StreamServer.class);
			servers.add(server);
			assertThat(server.getAddress()).isEqualTo(UnixDomainSocketAddress.of(file));
			assertThat(Files.exists(file)).isTrue();
			try (SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(file))) {
				ByteBuffer answer = ByteBuffer.allocate(16);
				while (client.read(answer) > 0) {
					// read to the end
				}
				assertThat(new String(answer.array(), 0, answer.position(), StandardCharsets.US_ASCII)).isEqualTo("PONG");
			}
		});
		assertThat(servers).singleElement().satisfies((server) -> assertThat(server.isClosed()).isTrue());
		assertThat(Files.exists(file)).isFalse();
	}

	@Test
	void inheritedListenerWithoutOneFailsStartUpClearly() {
		this.runner.withPropertyValues("gserver.listener=inherited")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("No listening socket was inherited"));
	}

	@Test
	void idleTimeoutClosesSilentClientsAndCountsThem() {
		Runners.onLoopback(GServerAutoConfiguration.class, GServerMetricsAutoConfiguration.class)
			.withBean(SimpleMeterRegistry.class)
			.withBean(Handler.class, () -> (connection) -> connection.getInputStream().read())
			.withPropertyValues("gserver.idle-timeout=200ms")
			.run((context) -> {
				StreamServer server = context.getBean(StreamServer.class);
				assertThat(server.getIdleTimeout()).isEqualTo(Duration.ofMillis(200));
				try (java.net.Socket silent = Clients.connect(server.getServerPort())) {
					assertThat(silent.getInputStream().read()).isEqualTo(-1);
				}
				MeterRegistry registry = context.getBean(MeterRegistry.class);
				await().atMost(Duration.ofSeconds(10))
					.until(() -> registry.get("gserver.connections.timed.out").tag("reason", "idle").counter().count() == 1);
			});
	}

	@Test
	void unknownAddressFailsNamingIt() {
		this.runner.withPropertyValues("gserver.address=no-such-host.invalid")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("address")
				.hasMessageContaining("no-such-host.invalid"));
	}

}
