package dev.gserver.autoconfigure;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import io.micrometer.common.KeyValue;
import io.micrometer.common.KeyValues;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.tck.TestObservationRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.tracing.handler.DefaultTracingObservationHandler;
import io.micrometer.tracing.test.simple.SimpleSpan;
import io.micrometer.tracing.test.simple.SimpleTracer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.gserver.Client;
import dev.gserver.Clients;
import dev.gserver.ConnectionObserver;
import dev.gserver.Handler;
import dev.gserver.StreamServer;
import dev.gserver.observation.DefaultGServerConnectionObservationConvention;
import dev.gserver.observation.GServerConnectionContext;
import dev.gserver.observation.RequestObservations;

import static io.micrometer.observation.tck.TestObservationRegistryAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Each connection is a {@code gserver.connection} observation, and with a tracer a span; each request a child. */
@Timeout(60)
class GServerObservationTest {

	private static final Duration PATIENCE = Duration.ofSeconds(10);

	private final ApplicationContextRunner runner = Runners.onLoopback(GServerAutoConfiguration.class,
			GServerObservationAutoConfiguration.class);

	/** Spring Boot's own registry, configured with the context's handler beans and its properties. */
	private final ApplicationContextRunner withBootsRegistry = Runners.onLoopback(ObservationAutoConfiguration.class,
			GServerAutoConfiguration.class, GServerObservationAutoConfiguration.class);

	@Test
	void aConnectionIsOneObservationWithTheServersNameItsOutcomeAndTheClientsAddress() {
		this.runner.withBean(TestObservationRegistry.class, TestObservationRegistry::create)
			.withBean(Handler.class, () -> GServerObservationTest::echoLine)
			.run((context) -> {
				TestObservationRegistry registry = context.getBean(TestObservationRegistry.class);
				int port = context.getBean(StreamServer.class).getServerPort();
				int clientPort;
				try (Socket client = Clients.connect(port)) {
					clientPort = client.getLocalPort();
					assertThat(Clients.echoLine(client, "hello")).isEqualTo("hello");
				}
				await().atMost(PATIENCE).untilAsserted(() -> assertThat(registry)
					.hasNumberOfObservationsWithNameEqualTo("gserver.connection", 1)
					.hasObservationWithNameEqualTo("gserver.connection")
					.that()
					.hasBeenStopped());
				assertThat(registry).hasObservationWithNameEqualTo("gserver.connection")
					.that()
					.hasContextualNameEqualTo("connection gserver")
					.hasLowCardinalityKeyValue("name", "gserver")
					.hasLowCardinalityKeyValue("outcome", "success")
					.hasHighCardinalityKeyValue("client.address", "127.0.0.1")
					.hasHighCardinalityKeyValue("client.port", Integer.toString(clientPort))
					.doesNotHaveError();
			});
	}

	@Test
	void aHandlerThatThrowsEndsItsObservationWithOutcomeErrorAndTheError() {
		this.runner.withBean(TestObservationRegistry.class, TestObservationRegistry::create)
			.withBean(Handler.class, () -> (connection) -> {
				throw new IllegalStateException("handler bug");
			})
			.run((context) -> {
				TestObservationRegistry registry = context.getBean(TestObservationRegistry.class);
				assertThat(Clients.request(context.getBean(StreamServer.class).getServerPort(), "")).isEmpty();
				await().atMost(PATIENCE).untilAsserted(() -> assertThat(registry)
					.hasObservationWithNameEqualTo("gserver.connection")
					.that()
					.hasBeenStopped());
				assertThat(registry).hasObservationWithNameEqualTo("gserver.connection")
					.that()
					.hasLowCardinalityKeyValue("outcome", "error")
					.assertThatError()
					.isInstanceOf(IllegalStateException.class)
					.hasMessage("handler bug");
			});
	}

	@Test
	void aConventionBeanReplacesTheDefault() {
		this.runner.withBean(TestObservationRegistry.class, TestObservationRegistry::create)
			.withBean(Handler.class, () -> GServerObservationTest::echoLine)
			.withBean(TlsConvention.class)
			.run((context) -> {
				TestObservationRegistry registry = context.getBean(TestObservationRegistry.class);
				try (Socket client = Clients.connect(context.getBean(StreamServer.class).getServerPort())) {
					assertThat(Clients.echoLine(client, "hello")).isEqualTo("hello");
				}
				await().atMost(PATIENCE).untilAsserted(() -> assertThat(registry)
					.hasObservationWithNameEqualTo("tcp.connection")
					.that()
					.hasBeenStopped());
				assertThat(registry).hasNumberOfObservationsWithNameEqualTo("gserver.connection", 0)
					.hasObservationWithNameEqualTo("tcp.connection")
					.that()
					.hasLowCardinalityKeyValue("tls", "false")
					.hasLowCardinalityKeyValue("outcome", "success");
			});
	}

	@Test
	void withATracerEachConnectionIsASpanAndEachRequestAChildSpan() {
		SimpleTracer tracer = new SimpleTracer();
		this.withBootsRegistry
			.withBean(DefaultTracingObservationHandler.class, () -> new DefaultTracingObservationHandler(tracer))
			.withUserConfiguration(CommandHandler.class)
			.run((context) -> {
				try (Socket client = Clients.connect(context.getBean(StreamServer.class).getServerPort())) {
					assertThat(Clients.echoLine(client, "GET")).isEqualTo("GET");
					assertThat(Clients.echoLine(client, "SET")).isEqualTo("SET");
				}
				await().atMost(PATIENCE).until(() -> spanNamed(tracer, "connection gserver") != null
						&& spanNamed(tracer, "connection gserver").getTags().containsKey("outcome"));
				SimpleSpan connection = spanNamed(tracer, "connection gserver");
				assertThat(connection.getTags()).containsEntry("name", "gserver")
					.containsEntry("outcome", "success")
					.containsEntry("client.address", "127.0.0.1");
				List<SimpleSpan> requests = tracer.getSpans()
					.stream()
					.filter((span) -> "gserver.request".equals(span.getName()))
					.toList();
				assertThat(requests).extracting((span) -> span.getTags().get("command")).containsExactly("GET", "SET");
				assertThat(requests).allSatisfy((request) -> {
					assertThat(request.getTraceId()).isEqualTo(connection.getTraceId());
					assertThat(request.getParentId()).isEqualTo(connection.getSpanId());
					assertThat(request.getTags()).containsEntry("name", "gserver");
				});
			});
	}

	/**
	 * With Spring Boot's metrics, its meter handler would make a timer of every observation; a
	 * connection's is gserver.handler.duration already, so the observation makes a span only.
	 */
	@Test
	void withBootsMetricsAConnectionIsASpanButNoSecondTimer() {
		SimpleTracer tracer = new SimpleTracer();
		this.withBootsRegistry
			.withConfiguration(AutoConfigurations.of(MetricsAutoConfiguration.class, SimpleMetricsExportAutoConfiguration.class,
					CompositeMeterRegistryAutoConfiguration.class, GServerMetricsAutoConfiguration.class))
			.withBean(DefaultTracingObservationHandler.class, () -> new DefaultTracingObservationHandler(tracer))
			.withUserConfiguration(CommandHandler.class)
			.run((context) -> {
				MeterRegistry meters = context.getBean(MeterRegistry.class);
				try (Socket client = Clients.connect(context.getBean(StreamServer.class).getServerPort())) {
					assertThat(Clients.echoLine(client, "GET")).isEqualTo("GET");
					// Boot's meter handler would have started the active-connection timer with the connection
					assertThat(meters.find("gserver.connection.active").meters()).isEmpty();
				}
				await().atMost(PATIENCE).until(() -> spanNamed(tracer, "connection gserver") != null
						&& spanNamed(tracer, "connection gserver").getTags().containsKey("outcome"));
				await().atMost(PATIENCE)
					.until(() -> meters.find("gserver.handler.duration").tag("outcome", "success").timer() != null);
				assertThat(meters.find("gserver.connection").meters()).isEmpty();
				// other observations keep their meters: the request observation (its switch is on)
				assertThat(meters.find("gserver.request").timers()).isNotEmpty();
			});
	}

	@Test
	void springBootsSwitchTurnsTheConnectionObservationOff() {
		this.withBootsRegistry.withPropertyValues("management.observations.enable.gserver.connection=false")
			.withBean(TestObservationRegistry.class, TestObservationRegistry::create)
			.withUserConfiguration(CommandHandler.class)
			.run((context) -> {
				TestObservationRegistry registry = context.getBean(TestObservationRegistry.class);
				try (Socket client = Clients.connect(context.getBean(StreamServer.class).getServerPort())) {
					assertThat(Clients.echoLine(client, "GET")).isEqualTo("GET");
				}
				// the request is observed (its switch is on): once it is, its connection has been served
				await().atMost(PATIENCE).untilAsserted(() -> assertThat(registry)
					.hasObservationWithNameEqualTo("gserver.request")
					.that()
					.hasBeenStopped());
				assertThat(registry).hasNumberOfObservationsWithNameEqualTo("gserver.connection", 0);
				// and a connection holds nothing of an observation that is off while it lives
				ConnectionObserver observer = context.getBean(StreamServer.class).getConnectionObserver();
				Client client = new Client() {

					@Override
					public SocketAddress getRemoteAddress() {
						return new InetSocketAddress("127.0.0.1", 40000);
					}

					@Override
					public void close() {
					}

				};
				assertThat(observer.connectionStarted("gserver", client)).isSameAs(ConnectionObserver.Scope.NONE);
			});
	}

	@Test
	void withoutARegistryNoObserverIsInstalledAndClientsAreServed() {
		this.runner.withBean(Handler.class, () -> GServerObservationTest::echoLine).run((context) -> {
			assertThat(context).doesNotHaveBean(GServerObservationBinder.class);
			StreamServer server = context.getBean(StreamServer.class);
			assertThat(server.getConnectionObserver()).isSameAs(ConnectionObserver.NONE);
			try (Socket client = Clients.connect(server.getServerPort())) {
				assertThat(Clients.echoLine(client, "hello")).isEqualTo("hello");
			}
		});
	}

	@Test
	void aServerWithAnObserverOfItsOwnKeepsIt() {
		ConnectionObserver own = (serverName, client) -> ConnectionObserver.Scope.NONE;
		this.runner.withBean(TestObservationRegistry.class, TestObservationRegistry::create)
			.withBean(Handler.class, () -> GServerObservationTest::echoLine)
			.withBean(GServerCustomizer.class, () -> (server) -> server.setConnectionObserver(own))
			.run((context) -> assertThat(context.getBean(StreamServer.class).getConnectionObserver()).isSameAs(own));
	}

	/** A handler that answers each line with itself, each one observed as a request named by the line. */
	@Configuration(proxyBeanMethods = false)
	static class CommandHandler {

		@Bean
		Handler commandHandler(ObservationRegistry registry) {
			RequestObservations requests = new RequestObservations(registry);
			return (connection) -> {
				BufferedReader in = new BufferedReader(
						new InputStreamReader(connection.getInputStream(), StandardCharsets.US_ASCII));
				OutputStream out = connection.getOutputStream();
				String line;
				while ((line = in.readLine()) != null) {
					String command = line;
					requests.observe(command, () -> {
						out.write((command + "\n").getBytes(StandardCharsets.US_ASCII));
						out.flush();
					});
				}
			};
		}

	}

	/** Renames the observation and adds whether the connection is encrypted. */
	static class TlsConvention extends DefaultGServerConnectionObservationConvention {

		@Override
		public String getName() {
			return "tcp.connection";
		}

		@Override
		public KeyValues getLowCardinalityKeyValues(GServerConnectionContext context) {
			return super.getLowCardinalityKeyValues(context)
				.and(KeyValue.of("tls", Boolean.toString(context.getConnection().isSecure())));
		}

	}

	private static SimpleSpan spanNamed(SimpleTracer tracer, String name) {
		return tracer.getSpans().stream().filter((span) -> name.equals(span.getName())).findFirst().orElse(null);
	}

	private static void echoLine(dev.gserver.Connection connection) throws Exception {
		BufferedReader in = new BufferedReader(new InputStreamReader(connection.getInputStream(), StandardCharsets.US_ASCII));
		String line = in.readLine();
		if (line != null) {
			connection.getOutputStream().write((line + "\n").getBytes(StandardCharsets.US_ASCII));
		}
	}

}
