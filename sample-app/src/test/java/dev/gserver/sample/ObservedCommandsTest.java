package dev.gserver.sample;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.micrometer.observation.tck.ObservationContextAssert;
import io.micrometer.observation.tck.TestObservationRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;

import dev.gserver.test.GServerTestClient;
import dev.gserver.test.LocalGServerPort;

import static io.micrometer.observation.tck.TestObservationRegistryAssert.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * With {@code sample.observe-commands=true}, each Redis command is a {@code gserver.request}
 * observation named after the command, inside its connection's {@code gserver.connection}.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "gserver.address=127.0.0.1", "sample.observe-commands=true" })
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ObservedCommandsTest {

	@LocalGServerPort
	int port;

	@Autowired
	TestObservationRegistry registry;

	@Test
	void eachCommandIsAnObservationInsideItsConnections() {
		try (GServerTestClient redis = GServerTestClient.connect(this.port)) {
			redis.sendCommand("SET", "k", "v").expectReply("OK");
			redis.sendCommand("get", "k").expectReply("v");
			redis.sendCommand("NOSUCHCOMMAND", "k");
			redis.readReply();
		}
		await().atMost(Duration.ofSeconds(10))
			.untilAsserted(() -> assertThat(this.registry).hasObservationWithNameEqualTo("gserver.connection")
				.that()
				.hasLowCardinalityKeyValue("outcome", "success"));
		assertThat(this.registry).hasNumberOfObservationsWithNameEqualTo("gserver.request", 3)
			.forAllObservationsWithNameEqualTo("gserver.request", ObservedCommandsTest::insideItsConnection)
			.hasAnObservationWithAKeyValue("command", "set")
			.hasAnObservationWithAKeyValue("command", "get")
			// what the client sent is no tag value: an unknown command is "unknown"
			.hasAnObservationWithAKeyValue("command", "unknown");
	}

	private static void insideItsConnection(ObservationContextAssert<?> request) {
		request.hasLowCardinalityKeyValue("name", "gserver")
			.hasParentObservationContextMatching((parent) -> "gserver.connection".equals(parent.getName()));
	}

	@TestConfiguration(proxyBeanMethods = false)
	static class Observations {

		@Bean
		TestObservationRegistry testObservationRegistry() {
			return TestObservationRegistry.create();
		}

	}

}
