package dev.gserver.autoconfigure;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.gserver.Clients;
import dev.gserver.Connection;
import dev.gserver.Handler;
import dev.gserver.Handlers;
import dev.gserver.Spawn;
import dev.gserver.StreamServer;
import dev.gserver.proxy.ProxyProtocolMode;

import static org.assertj.core.api.Assertions.assertThat;

/** Several servers from gserver.servers.<name>.*, next to the default one. */
@Timeout(60)
class MultipleServersTest {

	private final ApplicationContextRunner runner = Runners
		.onLoopback(GServerAutoConfiguration.class, GServerMetricsAutoConfiguration.class,
				GServerHealthContributorAutoConfiguration.class, GServerEndpointAutoConfiguration.class)
		.withBean(SimpleMeterRegistry.class)
		.withUserConfiguration(TwoHandlers.class);

	@Test
	void aNamedServerRunsItsHandlerNextToTheDefaultServer() {
		this.runner.withPropertyValues("gserver.servers.chat.port=0").run((context) -> {
			StreamServer chat = context.getBean("chat", StreamServer.class);
			StreamServer main = context.getBean("gserver", StreamServer.class);
			assertThat(chat.getName()).isEqualTo("chat");
			assertThat(chat.isStarted()).isTrue();
			assertThat(main.isStarted()).isTrue();
			assertThat(Clients.request(chat.getServerPort(), "")).isEqualTo("CHAT");
			assertThat(Clients.request(main.getServerPort(), "")).isEqualTo("PONG");
			assertThat(context.getEnvironment().getProperty("local.gserver.chat.port", Integer.class))
				.isEqualTo(chat.getServerPort());
			assertThat(context.getEnvironment().getProperty("local.gserver.port", Integer.class))
				.isEqualTo(main.getServerPort());
		});
	}

	@Test
	void aPropertyTheServerDoesNotSetIsInheritedFromGserver() {
		this.runner
			.withPropertyValues("gserver.max-connections=500", "gserver.spawn=8", "gserver.write-timeout=7s",
					"gserver.proxy-protocol.mode=optional", "gserver.servers.chat.port=0",
					"gserver.servers.chat.max-connections=20", "gserver.servers.chat.proxy-protocol.trusted=10.0.0.0/8")
			.run((context) -> {
				StreamServer chat = context.getBean("chat", StreamServer.class);
				StreamServer main = context.getBean("gserver", StreamServer.class);
				assertThat(chat.getMaxConnections()).isEqualTo(20);
				assertThat(main.getMaxConnections()).isEqualTo(500);
				// inherited values, each server with its own pool
				assertThat(chat.getWriteTimeout()).isEqualTo(Duration.ofSeconds(7));
				assertThat(chat.getServerHost()).isEqualTo("127.0.0.1");
				assertThat(chat.getPool().size()).isEqualTo(8);
				assertThat(chat.getPool()).isNotSameAs(main.getPool());
				assertThat(chat.getProxyProtocol().getMode()).isEqualTo(ProxyProtocolMode.OPTIONAL);
				assertThat(chat.getProxyProtocol().getTrusted()).extracting(Object::toString).containsExactly("10.0.0.0/8");
				assertThat(main.getProxyProtocol().getTrusted()).isEmpty();
			});
	}

	@Test
	void theHandlerIsNamedByPropertyOrFoundByTheServersName() {
		this.runner
			.withPropertyValues("gserver.handler=pongHandler", "gserver.servers.chat.port=0", "gserver.servers.echo.port=0",
					"gserver.servers.echo.handler=pongHandler")
			.withBean("relay", Handler.class, () -> (connection) -> answer(connection, "RELAY"))
			.withPropertyValues("gserver.servers.relay.port=0")
			.run((context) -> {
				assertThat(Clients.request(context.getBean("echo", StreamServer.class).getServerPort(), "")).isEqualTo("PONG");
				assertThat(Clients.request(context.getBean("chat", StreamServer.class).getServerPort(), "")).isEqualTo("CHAT");
				// the handler bean holds the name 'relay', so the server's bean is 'relayServer', named 'relay'
				StreamServer relay = context.getBean("relayServer", StreamServer.class);
				assertThat(relay.getName()).isEqualTo("relay");
				assertThat(Clients.request(relay.getServerPort(), "")).isEqualTo("RELAY");
				assertThat(context.getEnvironment().getProperty("local.gserver.relay.port", Integer.class))
					.isEqualTo(relay.getServerPort());
			});
	}

	@Test
	void everyServerHasMetricsHealthAndAnEndpointEntryByName() {
		this.runner.withPropertyValues("gserver.servers.chat.port=0").run((context) -> {
			StreamServer chat = context.getBean("chat", StreamServer.class);
			Clients.request(chat.getServerPort(), "");
			MeterRegistry registry = context.getBean(MeterRegistry.class);
			assertThat(registry.get("gserver.connections.accepted").tag("name", "chat").counter().count())
				.isEqualTo(1);
			assertThat(registry.get("gserver.connections.accepted").tag("name", "gserver").counter().count())
				.isZero();
			GServerEndpoint endpoint = new GServerEndpoint(context);
			assertThat(endpoint.servers().servers()).containsOnlyKeys("gserver", "chat");
			assertThat(endpoint.server("chat").port()).isEqualTo(chat.getServerPort());
			CompositeHealthContributor health = context.getBean("gserverHealthContributor", CompositeHealthContributor.class);
			assertThat(health.getContributor("chat")).isInstanceOf(GServerHealthIndicator.class);
			assertThat(health.getContributor("gserver")).isInstanceOf(GServerHealthIndicator.class);
		});
	}

	@Test
	void customizersSeeEveryServerWithItsName() {
		Map<String, Integer> seen = new ConcurrentHashMap<>();
		this.runner.withPropertyValues("gserver.servers.chat.port=0")
			.withBean(GServerCustomizer.class, () -> (server) -> seen.put(server.getName(), server.getServerPort()))
			.run((context) -> assertThat(seen).containsOnlyKeys("gserver", "chat"));
	}

	@Test
	void aUserServerBeanReplacesTheDefaultServerButNotTheNamedOnes() {
		this.runner.withPropertyValues("gserver.servers.chat.port=0", "gserver.max-accept=7")
			.withBean("edge", StreamServer.class, () -> new StreamServer("127.0.0.1:0", Handlers::pong, Spawn.RAW))
			.run((context) -> {
				assertThat(context).doesNotHaveBean("gserver");
				StreamServer edge = context.getBean("edge", StreamServer.class);
				assertThat(edge.getName()).isEqualTo("edge");
				assertThat(edge.isStarted()).isTrue();
				// gserver.* properties are for gserver's own servers; the user's bean keeps its settings
				assertThat(edge.getMaxAccept()).isNotEqualTo(7);
				assertThat(context.getBean("chat", StreamServer.class).getMaxAccept()).isEqualTo(7);
				assertThat(context.getEnvironment().getProperty("local.gserver.edge.port", Integer.class))
					.isEqualTo(edge.getServerPort());
			});
	}

	static void answer(Connection connection, String reply) throws Exception {
		connection.getOutputStream().write(reply.getBytes());
		connection.getOutputStream().flush();
	}

	@Configuration(proxyBeanMethods = false)
	static class TwoHandlers {

		@Bean
		Handler pongHandler() {
			return Handlers::pong;
		}

		@Bean
		Handler chatHandler() {
			return (connection) -> answer(connection, "CHAT");
		}

	}

}
