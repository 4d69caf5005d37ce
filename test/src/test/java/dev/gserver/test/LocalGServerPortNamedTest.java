package dev.gserver.test;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

import dev.gserver.StreamServer;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code @LocalGServerPort("name")} for servers of the user's own, named by their beans. */
@SpringBootTest
@Timeout(30)
class LocalGServerPortNamedTest {

	@LocalGServerPort("echo")
	int echoPort;

	@LocalGServerPort(server = "redis")
	int redisPort;

	@Autowired
	private Environment environment;

	@Test
	void eachNamedServerHasItsPort() {
		assertThat(this.echoPort).isPositive().isNotEqualTo(this.redisPort);
		assertThat(this.redisPort).isPositive();
		try (GServerTestClient echo = GServerTestClient.connect(this.echoPort);
				GServerTestClient redis = GServerTestClient.connect(this.redisPort)) {
			echo.sendLine("hello").expectLine("hello");
			redis.sendCommand("PING").expectReply("PONG");
		}
	}

	@Test
	void onParametersToo(@LocalGServerPort("redis") int redis) {
		assertThat(redis).isEqualTo(this.redisPort);
	}

	@Test
	void theClientConnectsByName() {
		try (GServerTestClient client = GServerTestClient.connect(this.environment, "redis")) {
			client.sendCommand("ECHO", "by name").expectReply("by name");
		}
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class Config {

		@Bean
		StreamServer echo() {
			return new StreamServer("127.0.0.1:0", TestHandlers.echo());
		}

		@Bean
		StreamServer redis() {
			return new StreamServer("127.0.0.1:0", TestHandlers.resp());
		}

	}

}
