package dev.gserver.autoconfigure;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.stream.Stream;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.gserver.Clients;
import dev.gserver.Connection;
import dev.gserver.Handler;
import dev.gserver.Handlers;
import dev.gserver.Pool;
import dev.gserver.Spawn;
import dev.gserver.StreamServer;
import dev.gserver.proxy.ProxyProtocolMode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

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
	void spawnAndSpawnBeanAreOneChoiceThatAServerMakesWhole() {
		this.runner.withBean("chatPool", Pool.class, () -> new Pool(3))
			.withPropertyValues("gserver.spawn=5", "gserver.servers.chat.port=0", "gserver.servers.chat.spawn-bean=chatPool")
			.run((context) -> {
				assertThat(context.getBean("chat", StreamServer.class).getPool()).isSameAs(context.getBean("chatPool"));
				assertThat(context.getBean("gserver", StreamServer.class).getPool().size()).isEqualTo(5);
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

	/** Each per-server property, a value other than its default, and how the server shows it. */
	static Stream<Arguments> perServerProperties() {
		return Stream.of(
				arguments("spawn", "5", (Function<StreamServer, Object>) (server) -> (server.getPool() != null) ? server.getPool().size() : null, 5),
				arguments("max-accept", "9", (Function<StreamServer, Object>) StreamServer::getMaxAccept, 9),
				arguments("min-delay", "20ms", (Function<StreamServer, Object>) StreamServer::getMinDelay, Duration.ofMillis(20)),
				arguments("max-delay", "3s", (Function<StreamServer, Object>) StreamServer::getMaxDelay, Duration.ofSeconds(3)),
				arguments("stop-timeout", "4s", (Function<StreamServer, Object>) StreamServer::getStopTimeout, Duration.ofSeconds(4)),
				arguments("backlog", "64", (Function<StreamServer, Object>) StreamServer::getBacklog, 64),
				arguments("reuse-address", "false", (Function<StreamServer, Object>) StreamServer::isReuseAddress, false),
				arguments("reuse-port", "true", (Function<StreamServer, Object>) StreamServer::isReusePort, true),
				arguments("max-connections", "44", (Function<StreamServer, Object>) StreamServer::getMaxConnections, 44),
				arguments("max-connections-per-address", "4",
						(Function<StreamServer, Object>) StreamServer::getMaxConnectionsPerAddress, 4),
				arguments("tcp-no-delay", "false", (Function<StreamServer, Object>) StreamServer::isTcpNoDelay, false),
				arguments("drop-when-full", "true", (Function<StreamServer, Object>) StreamServer::isDropWhenFull, true),
				arguments("idle-timeout", "5s", (Function<StreamServer, Object>) StreamServer::getIdleTimeout, Duration.ofSeconds(5)),
				arguments("write-timeout", "6s", (Function<StreamServer, Object>) StreamServer::getWriteTimeout, Duration.ofSeconds(6)),
				arguments("frame-timeout", "7s", (Function<StreamServer, Object>) StreamServer::getFrameTimeout, Duration.ofSeconds(7)),
				arguments("input-budget", "64MB",
						(Function<StreamServer, Object>) (server) -> server.getInputBudget().getLimit(), 64L * 1024 * 1024),
				arguments("proxy-protocol.mode", "optional",
						(Function<StreamServer, Object>) (server) -> server.getProxyProtocol().getMode(), ProxyProtocolMode.OPTIONAL),
				arguments("proxy-protocol.trusted", "10.0.0.0/8",
						(Function<StreamServer, Object>) (server) -> server.getProxyProtocol().getTrusted().toString(), "[10.0.0.0/8]"),
				arguments("proxy-protocol.timeout", "3s",
						(Function<StreamServer, Object>) (server) -> server.getProxyProtocol().getTimeout(), Duration.ofSeconds(3)));
	}

	@ParameterizedTest(name = "gserver.{0} is inherited")
	@MethodSource("perServerProperties")
	void everyPerServerPropertyIsInheritedFromGserver(String property, String value, Function<StreamServer, Object> shown,
			Object expected) {
		this.runner.withPropertyValues("gserver." + property + "=" + value, "gserver.servers.chat.port=0")
			.run((context) -> {
				assertThat(shown.apply(context.getBean("chat", StreamServer.class))).isEqualTo(expected);
				assertThat(shown.apply(context.getBean("gserver", StreamServer.class))).isEqualTo(expected);
			});
	}

	@ParameterizedTest(name = "gserver.servers.chat.{0} is chat's own")
	@MethodSource("perServerProperties")
	void everyPerServerPropertyCanBeSetForOneServer(String property, String value, Function<StreamServer, Object> shown,
			Object expected) {
		this.runner.withPropertyValues("gserver.servers.chat." + property + "=" + value, "gserver.servers.chat.port=0")
			.run((context) -> {
				assertThat(shown.apply(context.getBean("chat", StreamServer.class))).isEqualTo(expected);
				assertThat(shown.apply(context.getBean("gserver", StreamServer.class))).isNotEqualTo(expected);
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
