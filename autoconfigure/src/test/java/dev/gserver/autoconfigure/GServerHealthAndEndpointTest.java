package dev.gserver.autoconfigure;

import java.net.Socket;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Timeout;

import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthContributor;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.gserver.Clients;
import dev.gserver.AcceptState;
import dev.gserver.Handler;
import dev.gserver.Spawn;
import dev.gserver.StreamServer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

@Timeout(60)
class GServerHealthAndEndpointTest {

	private final ApplicationContextRunner runner = Runners
		.onLoopback(GServerAutoConfiguration.class, GServerHealthContributorAutoConfiguration.class,
				GServerEndpointAutoConfiguration.class)
		.withPropertyValues("management.endpoints.web.exposure.include=gserver");

	@Test
	void healthIsUpWhileAcceptingOutOfServiceWhilePausedAndUpAgain() {
		this.runner.withBean(Handler.class, () -> (connection) -> {
		}).run((context) -> {
			HealthIndicator health = (HealthIndicator) context.getBean("gserverHealthContributor");
			StreamServer server = context.getBean(StreamServer.class);
			Health up = health.health();
			assertThat(up.getStatus()).isEqualTo(Status.UP);
			assertThat(up.getDetails()).containsEntry("state", "accepting")
				.containsEntry("address", "127.0.0.1")
				.containsEntry("port", server.getServerPort())
				.containsEntry("spawn", "default")
				.containsEntry("activeConnections", 0)
				.doesNotContainKey("maxConnections")
				.doesNotContainKey("pool");
			server.stopAccepting();
			assertThat(health.health().getStatus()).isEqualTo(Status.OUT_OF_SERVICE);
			server.startAccepting();
			assertThat(health.health().getStatus()).isEqualTo(Status.UP);
		});
	}

	@ParameterizedTest
	@ValueSource(strings = { "gserver.spawn=1", "gserver.max-connections=1" })
	void fullPoolOrConnectionLimitIsUpWithAPausedDetail(String limit) {
		CountDownLatch release = new CountDownLatch(1);
		CountDownLatch handling = new CountDownLatch(1);
		this.runner.withBean(Handler.class, () -> (connection) -> {
			handling.countDown();
			release.await();
		}).withPropertyValues(limit).run((context) -> {
			HealthIndicator health = (HealthIndicator) context.getBean("gserverHealthContributor");
			StreamServer server = context.getBean(StreamServer.class);
			try (Socket first = Clients.connect(server.getServerPort()); Socket second = Clients.connect(server.getServerPort())) {
				assertThat(handling.await(10, TimeUnit.SECONDS)).isTrue();
				await().atMost(Duration.ofSeconds(10)).until(() -> server.getAcceptState() == AcceptState.POOL_FULL);
				Health full = health.health();
				assertThat(full.getStatus()).isEqualTo(Status.UP);
				assertThat(full.getDetails()).containsEntry("paused", "pool-full").containsEntry("activeConnections", 1);
				if (limit.contains("spawn")) {
					assertThat(full.getDetails()).containsEntry("pool", new ServerDescriptor.PoolDescriptor(1, 1))
						.doesNotContainKey("maxConnections");
				}
				else {
					assertThat(full.getDetails()).containsEntry("maxConnections", 1).doesNotContainKey("pool");
				}
			}
			finally {
				release.countDown();
			}
		});
	}

	@Test
	void healthIsDownAfterAFatalError() {
		this.runner.withUserConfiguration(FailingServerConfiguration.class).run((context) -> {
			HealthIndicator health = (HealthIndicator) context.getBean("gserverHealthContributor");
			StreamServer server = context.getBean(StreamServer.class);
			Clients.poke(server.getServerPort());
			await().atMost(Duration.ofSeconds(10)).until(server::isClosed);
			Health down = health.health();
			assertThat(down.getStatus()).isEqualTo(Status.DOWN);
			assertThat(down.getDetails()).containsEntry("state", "failed")
				.containsEntry("error", "java.nio.channels.ClosedChannelException");
		});
	}

	@Test
	void oneHealthEntryPerServerWhenThereAreSeveral() {
		this.runner.withUserConfiguration(TwoServers.class).run((context) -> {
			HealthContributor contributor = context.getBean("gserverHealthContributor", HealthContributor.class);
			assertThat(contributor).isInstanceOf(CompositeHealthContributor.class);
			CompositeHealthContributor composite = (CompositeHealthContributor) contributor;
			assertThat(((HealthIndicator) composite.getContributor("alpha")).health().getStatus()).isEqualTo(Status.UP);
			assertThat(((HealthIndicator) composite.getContributor("beta")).health().getDetails())
				.containsEntry("spawn", "raw");
		});
	}

	@Test
	void healthCanBeDisabled() {
		this.runner.withBean(Handler.class, () -> (connection) -> {
		})
			.withPropertyValues("management.health.gserver.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean("gserverHealthContributor"));
	}

	@Test
	void endpointDescribesServersAndPausesAndResumesOne() {
		this.runner.withBean(Handler.class, () -> (connection) -> {
		}).withPropertyValues("gserver.spawn=4").run((context) -> {
			GServerEndpoint endpoint = context.getBean(GServerEndpoint.class);
			StreamServer server = context.getBean(StreamServer.class);
			assertThat(endpoint.servers().servers()).containsOnlyKeys("gserver");
			ServerDescriptor described = endpoint.server("gserver");
			assertThat(described.state()).isEqualTo(AcceptState.ACCEPTING);
			assertThat(described.port()).isEqualTo(server.getServerPort());
			assertThat(described.address()).isEqualTo("127.0.0.1:" + server.getServerPort());
			assertThat(described.spawn()).isEqualTo("pool(4)");
			assertThat(described.pool()).isEqualTo(new ServerDescriptor.PoolDescriptor(4, 0));
			assertThat(endpoint.server("nosuch")).isNull();

			assertThat(endpoint.accepting("gserver", false).state()).isEqualTo(AcceptState.PAUSED);
			assertThat(server.isAccepting()).isFalse();
			assertThat(endpoint.accepting("gserver", true).state()).isEqualTo(AcceptState.ACCEPTING);
			assertThat(server.isAccepting()).isTrue();
		});
	}

	@Test
	void endpointOnlyWhenExposed() {
		Runners.onLoopback(GServerAutoConfiguration.class, GServerEndpointAutoConfiguration.class)
			.withBean(Handler.class, () -> (connection) -> {
			})
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(GServerEndpoint.class));
	}

	@Test
	void endpointCountsConnections() {
		this.runner.withBean(Handler.class, () -> (connection) -> connection.getOutputStream().write('!'))
			.run((context) -> {
				GServerEndpoint endpoint = context.getBean(GServerEndpoint.class);
				int port = context.getBean(StreamServer.class).getServerPort();
				Clients.poke(port);
				Clients.poke(port);
				await().atMost(Duration.ofSeconds(10)).until(() -> endpoint.server("gserver").bytesSent() == 2);
				assertThat(endpoint.server("gserver").accepted()).isEqualTo(2);
			});
	}

	@Configuration(proxyBeanMethods = false)
	static class TwoServers {

		@Bean
		StreamServer alpha() {
			return new StreamServer("127.0.0.1:0", (connection) -> {
			});
		}

		@Bean
		StreamServer beta() {
			return new StreamServer("127.0.0.1:0", (connection) -> {
			}, Spawn.RAW);
		}

	}

}
