package dev.gserver.test;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.context.annotation.Bean;

import dev.gserver.Handler;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * RANDOM_PORT puts a configured named server ({@code gserver.servers.<name>}) on a free port too,
 * and {@code @LocalGServerPort("<name>")} finds it. The chat server finds its handler by name
 * (chatHandler); the default server takes the other one.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "gserver.address=127.0.0.1", "gserver.port=7000", "gserver.servers.chat.port=7001" })
@Timeout(30)
class NamedServersRandomPortTest {

	@LocalGServerPort
	int port;

	@LocalGServerPort("chat")
	int chatPort;

	@Test
	void bothServersAreOnRandomPortsAndAnswer() {
		assertThat(this.port).isPositive().isNotEqualTo(7000);
		assertThat(this.chatPort).isPositive().isNotEqualTo(7001).isNotEqualTo(this.port);
		try (GServerTestClient redis = GServerTestClient.connect(this.port);
				GServerTestClient chat = GServerTestClient.connect(this.chatPort)) {
			redis.sendCommand("PING").expectReply("PONG");
			chat.sendLine("hello").expectLine("hello");
		}
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class Config {

		@Bean
		Handler redisHandler() {
			return TestHandlers.resp();
		}

		@Bean
		Handler chatHandler() {
			return TestHandlers.echo();
		}

	}

}
