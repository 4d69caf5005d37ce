package dev.gserver.autoconfigure;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.util.ContextInitializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

import dev.gserver.Clients;
import dev.gserver.Handler;
import dev.gserver.StreamServer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The connection's MDC entries in Spring Boot's structured logging: a real application with
 * {@code logging.structured.format.console=ecs}, a real client, and the JSON line its handler logs.
 */
@Timeout(60)
@ExtendWith(OutputCaptureExtension.class)
class StructuredLoggingTest {

	private static final String MESSAGE = "order taken";

	@AfterEach
	void backToTheTestsLogging() throws Exception {
		// Spring Boot reconfigured logback for the whole JVM: the other tests want logback-test.xml back
		LoggerContext logback = (LoggerContext) LoggerFactory.getILoggerFactory();
		logback.reset();
		new ContextInitializer(logback).autoConfig();
	}

	@Test
	void anEcsLineFromAHandlerCarriesTheServerTheConnectionAndTheClient(CapturedOutput output) throws Exception {
		SpringApplication application = new SpringApplication(LoggingApplication.class);
		application.setWebApplicationType(WebApplicationType.NONE);
		application.setRegisterShutdownHook(false);
		try (ConfigurableApplicationContext context = application.run("--logging.structured.format.console=ecs",
				"--logging.config=classpath:dev/gserver/autoconfigure/structured-console.xml",
				"--spring.application.name=orders", "--gserver.address=127.0.0.1", "--gserver.port=0")) {
			int port = context.getBean(StreamServer.class).getServerPort();
			String client;
			try (java.net.Socket socket = Clients.connect(port)) {
				client = "127.0.0.1:" + socket.getLocalPort();
				assertThat(Clients.readLine(socket.getInputStream())).isEqualTo("OK");
			}
			await().atMost(Duration.ofSeconds(10)).until(() -> output.getOut().contains(MESSAGE));
			String line = output.getOut().lines().filter((each) -> each.contains(MESSAGE)).findFirst().orElseThrow();
			JsonNode json = JsonMapper.builder().build().readTree(line);
			assertThat(json.path("message").asString()).isEqualTo(MESSAGE);
			assertThat(json.path("service").path("name").asString()).isEqualTo("orders");
			// ECS nests dotted keys: gserver.server is {"gserver":{"server":...}}
			JsonNode gserver = json.path("gserver");
			assertThat(gserver.path("server").asString()).isEqualTo("gserver");
			assertThat(gserver.path("connection").asString()).isEqualTo("1");
			assertThat(gserver.path("client").asString()).isEqualTo(client);
		}
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class LoggingApplication {

		@Bean
		Handler orderHandler() {
			return (connection) -> {
				LoggerFactory.getLogger(LoggingApplication.class).info(MESSAGE);
				connection.getOutputStream().write("OK\n".getBytes(StandardCharsets.US_ASCII));
			};
		}

	}

}
