package dev.gserver.autoconfigure;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import org.springframework.beans.factory.NoSuchBeanDefinitionException;
import org.springframework.boot.context.properties.bind.validation.BindValidationException;
import org.springframework.validation.FieldError;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;

import dev.gserver.Clients;
import dev.gserver.Handler;
import dev.gserver.Handlers;
import dev.gserver.Pool;
import dev.gserver.PortInUseException;
import dev.gserver.proxy.ProxyProtocolMode;
import dev.gserver.Spawn;
import dev.gserver.StreamServer;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(60)
class GServerAutoConfigurationTest {

	private final ApplicationContextRunner runner = Runners.onLoopback(GServerAutoConfiguration.class);

	@Test
	void noServerWithoutAHandler() {
		this.runner.run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context).doesNotHaveBean(StreamServer.class);
		});
	}

	@Test
	void serverForAHandlerStartsWithTheContextAndPublishesItsPort() {
		this.runner.withUserConfiguration(PongHandler.class).run((context) -> {
			StreamServer server = context.getBean(StreamServer.class);
			assertThat(context).getBean("gserver").isSameAs(server);
			assertThat(server.isStarted()).isTrue();
			int port = server.getServerPort();
			assertThat(port).isPositive();
			assertThat(context.getEnvironment().getProperty("local.gserver.port", Integer.class)).isEqualTo(port);
			assertThat(context.getEnvironment().getProperty("local.gserver.gserver.port", Integer.class)).isEqualTo(port);
			assertThat(Clients.request(port, "")).isEqualTo("PONG");
			assertThat(server.getName()).isEqualTo("gserver");
		});
	}

	@Test
	void stopsWhenTheContextCloses() {
		List<StreamServer> servers = new ArrayList<>();
		this.runner.withUserConfiguration(PongHandler.class).run((context) -> {
			servers.add(context.getBean(StreamServer.class));
		});
		assertThat(servers).singleElement().satisfies((server) -> {
			assertThat(server.isStarted()).isFalse();
			assertThat(server.isClosed()).isTrue();
		});
	}

	@Test
	void disabledByProperty() {
		this.runner.withUserConfiguration(PongHandler.class).withPropertyValues("gserver.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(StreamServer.class)
				.doesNotHaveBean(GServerLifecycle.class));
	}

	@Test
	void propertiesReachTheServer() {
		this.runner.withUserConfiguration(PongHandler.class)
			.withPropertyValues("gserver.spawn=7", "gserver.max-accept=5", "gserver.min-delay=20ms",
					"gserver.max-delay=2s", "gserver.stop-timeout=3s", "gserver.backlog=64",
					"gserver.reuse-address=false", "gserver.tcp-no-delay=false", "gserver.drop-when-full=true",
					"gserver.reuse-port=true", "gserver.max-connections=500", "gserver.max-connections-per-address=9",
					"gserver.proxy-protocol.mode=required",
					"gserver.proxy-protocol.trusted=10.0.0.0/8, 127.0.0.1", "gserver.proxy-protocol.timeout=2s")
			.run((context) -> {
				StreamServer server = context.getBean(StreamServer.class);
				assertThat(server.getPool().size()).isEqualTo(7);
				assertThat(server.getMaxAccept()).isEqualTo(5);
				assertThat(server.getMinDelay()).isEqualTo(Duration.ofMillis(20));
				assertThat(server.getMaxDelay()).isEqualTo(Duration.ofSeconds(2));
				assertThat(server.getStopTimeout()).isEqualTo(Duration.ofSeconds(3));
				assertThat(server.getBacklog()).isEqualTo(64);
				assertThat(server.isReuseAddress()).isFalse();
				assertThat(server.isTcpNoDelay()).isFalse();
				assertThat(server.isDropWhenFull()).isTrue();
				assertThat(server.isReusePort()).isTrue();
				assertThat(server.getMaxConnections()).isEqualTo(500);
				assertThat(server.getMaxConnectionsPerAddress()).isEqualTo(9);
				assertThat(server.getProxyProtocol().getMode()).isEqualTo(ProxyProtocolMode.REQUIRED);
				assertThat(server.getProxyProtocol().getTrusted()).extracting(Object::toString)
					.containsExactly("10.0.0.0/8", "127.0.0.1/32");
				assertThat(server.getProxyProtocol().getTimeout()).isEqualTo(Duration.ofSeconds(2));
				assertThat(server.getServerHost()).isEqualTo("127.0.0.1");
			});
	}

	/**
	 * Spring Boot reports a validation error as "Property: gserver.port, Value: "70000", Reason:
	 * ..." from the field error asserted here.
	 */
	@ParameterizedTest(name = "{0}")
	@CsvSource(delimiterString = " | ", quoteCharacter = '"', textBlock = """
			gserver.stop-timeout=-1s                      | stopTimeout          | PT-1S         | must not be negative
			gserver.shutdown-delay=-1s                    | shutdownDelay        | PT-1S         | must not be negative
			gserver.port=70000                            | port                 | 70000         | must be between 0 and 65535
			gserver.max-accept=0                          | maxAccept            | 0             | must be at least 1
			gserver.max-connections=-1                    | maxConnections       | -1            | must be 0 (no limit) or positive
			gserver.max-connections-per-address=-1        | maxConnectionsPerAddress | -1          | must be 0 (no limit) or positive
			gserver.proxy-protocol.timeout=0s             | proxyProtocol.timeout | PT0S         | must be positive
			gserver.input-budget=0B                       | inputBudget          | 0B            | must be at least 1B
			""")
	void invalidPropertyFailsNamingPropertyAndValue(String property, String field, String value, String reason) {
		this.runner.withUserConfiguration(PongHandler.class).withPropertyValues(property).run((context) -> {
			assertThat(context).hasFailed();
			BindValidationException invalid = findCause(context.getStartupFailure(), BindValidationException.class);
			assertThat(invalid).isNotNull();
			assertThat(invalid.getValidationErrors().getName()).hasToString("gserver");
			assertThat(invalid.getValidationErrors().getAllErrors()).singleElement().satisfies((error) -> {
				FieldError fieldError = (FieldError) error;
				assertThat(fieldError.getField()).isEqualTo(field);
				assertThat(fieldError.getRejectedValue()).hasToString(value);
				assertThat(fieldError.getDefaultMessage()).contains(reason);
			});
		});
	}

	@Test
	void minDelayLongerThanMaxDelayFails() {
		this.runner.withUserConfiguration(PongHandler.class)
			.withPropertyValues("gserver.min-delay=2s", "gserver.max-delay=1s")
			.run((context) -> assertThat(findCause(context.getStartupFailure(), BindValidationException.class))
				.hasMessageContaining("on field 'maxDelay'")
				.hasMessageContaining("must not be shorter than min-delay"));
	}

	/** Spring Boot reports a conversion error as "Property: gserver.spawn, Value: "lots", Reason: ...". */
	@ParameterizedTest(name = "{0}")
	@CsvSource(delimiterString = " | ", textBlock = """
			gserver.spawn=lots                         | gserver.spawn                    | Invalid spawn 'lots'
			gserver.proxy-protocol.trusted=10.0.0.0/33 | gserver.proxy-protocol.trusted    | 10.0.0.0/33
			""")
	void unconvertibleValueFailsNamingPropertyAndValue(String property, String name, String reason) {
		this.runner.withUserConfiguration(PongHandler.class).withPropertyValues(property).run((context) -> {
			assertThat(context).hasFailed();
			org.springframework.boot.context.properties.bind.BindException invalid = findCause(context.getStartupFailure(),
					org.springframework.boot.context.properties.bind.BindException.class);
			assertThat(invalid).isNotNull();
			assertThat(invalid.getName()).hasToString(name);
			assertThat(invalid).rootCause().hasMessageContaining(reason);
		});
	}

	@Test
	void customizersApplyInOrderAfterProperties() {
		this.runner.withUserConfiguration(PongHandler.class, Customizers.class)
			.withPropertyValues("gserver.max-accept=5")
			.run((context) -> {
				StreamServer server = context.getBean(StreamServer.class);
				// the properties gave 5, the first customizer 10, the second doubled it
				assertThat(server.getMaxAccept()).isEqualTo(20);
			});
	}

	@Test
	void poolBeanChosenAsSpawn() {
		this.runner.withUserConfiguration(PongHandler.class, PoolBean.class)
			.withPropertyValues("gserver.spawn-bean=handlerPool")
			.run((context) -> assertThat(context.getBean(StreamServer.class).getPool())
				.isSameAs(context.getBean("handlerPool")));
	}

	@Test
	void executorBeanChosenAsSpawn() {
		this.runner.withUserConfiguration(PongHandler.class, ExecutorBean.class)
			.withPropertyValues("gserver.spawn-bean=handlerExecutor")
			.run((context) -> {
				StreamServer server = context.getBean(StreamServer.class);
				assertThat(server.getSpawn().toString()).startsWith("executor(");
				assertThat(Clients.request(server.getServerPort(), "")).isEqualTo("PONG");
			});
	}

	@Test
	void unknownSpawnBeanFailsNamingIt() {
		this.runner.withUserConfiguration(PongHandler.class)
			.withPropertyValues("gserver.spawn-bean=missing")
			.run((context) -> assertThat(context).getFailure()
				.hasRootCauseInstanceOf(NoSuchBeanDefinitionException.class)
				.rootCause()
				.hasMessageContaining("missing"));
	}

	@Test
	void spawnAndSpawnBeanTogetherFail() {
		this.runner.withUserConfiguration(PongHandler.class, PoolBean.class)
			.withPropertyValues("gserver.spawn-bean=handlerPool", "gserver.spawn=raw")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("on field 'spawnBean'")
				.hasMessageContaining("set only one of spawn and spawn-bean"));
	}

	@Test
	void backsOffForAUserServerAndStillManagesIt() {
		this.runner.withUserConfiguration(PongHandler.class, UserServer.class).run((context) -> {
			assertThat(context).hasSingleBean(StreamServer.class);
			StreamServer server = context.getBean(StreamServer.class);
			assertThat(context).getBean("myServer").isSameAs(server);
			assertThat(server.getMaxAccept()).isEqualTo(3);
			assertThat(server.isStarted()).isTrue();
			assertThat(server.getName()).isEqualTo("myServer");
			assertThat(context.getEnvironment().getProperty("local.gserver.port", Integer.class))
				.isEqualTo(server.getServerPort());
			assertThat(Clients.request(server.getServerPort(), "")).isEqualTo("PONG");
		});
	}

	@Test
	void userServerWithoutHandlerBeanIsManagedToo() {
		this.runner.withUserConfiguration(UserServer.class).run((context) -> {
			StreamServer server = context.getBean(StreamServer.class);
			assertThat(server.isStarted()).isTrue();
		});
	}

	@Test
	void portInUseFailsStartUpWithAnAnalysisNamingThePort() throws IOException {
		try (ServerSocket taken = new ServerSocket()) {
			taken.bind(new InetSocketAddress("127.0.0.1", 0));
			int port = taken.getLocalPort();
			this.runner.withUserConfiguration(PongHandler.class)
				.withPropertyValues("gserver.port=" + port, "gserver.reuse-address=false")
				.run((context) -> {
					assertThat(context).hasFailed();
					Throwable failure = context.getStartupFailure();
					assertThat(findCause(failure, PortInUseException.class)).isNotNull();
					FailureAnalysis analysis = new PortInUseFailureAnalyzer().analyze(failure);
					assertThat(analysis.getDescription()).contains("port " + port + " is already in use");
					assertThat(analysis.getAction()).contains("gserver.port");
					assertThat(new BindFailureAnalyzer().analyze(failure)).isNull();
				});
		}
	}

	@Test
	void otherBindFailuresGetTheirOwnAnalysisNamingTheAddress() {
		this.runner.withUserConfiguration(PongHandler.class)
			.withPropertyValues("gserver.address=192.0.2.1")
			.run((context) -> {
				assertThat(context).hasFailed();
				Throwable failure = context.getStartupFailure();
				assertThat(new PortInUseFailureAnalyzer().analyze(failure)).isNull();
				FailureAnalysis analysis = new BindFailureAnalyzer().analyze(failure);
				assertThat(analysis.getDescription()).contains("Failed to bind 192.0.2.1:0");
				assertThat(analysis.getAction()).contains("gserver.address");
			});
	}

	static <T extends Throwable> T findCause(Throwable failure, Class<T> type) {
		for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
			if (type.isInstance(cause)) {
				return type.cast(cause);
			}
		}
		return null;
	}

	@Configuration(proxyBeanMethods = false)
	static class PongHandler {

		@Bean
		Handler pongHandler() {
			return Handlers::pong;
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class Customizers {

		@Bean
		@Order(2)
		GServerCustomizer doubling() {
			return (server) -> server.setMaxAccept(server.getMaxAccept() * 2);
		}

		@Bean
		@Order(1)
		GServerCustomizer setting() {
			return (server) -> server.setMaxAccept(10);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class PoolBean {

		@Bean
		Pool handlerPool() {
			return new Pool(4);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class ExecutorBean {

		@Bean(destroyMethod = "shutdown")
		java.util.concurrent.ExecutorService handlerExecutor() {
			return Executors.newFixedThreadPool(2);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class UserServer {

		@Bean
		StreamServer myServer() {
			StreamServer server = new StreamServer("127.0.0.1:0", Handlers::pong, Spawn.RAW);
			server.setMaxAccept(3);
			return server;
		}

	}

}
