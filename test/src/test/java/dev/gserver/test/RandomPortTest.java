package dev.gserver.test;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.core.env.Environment;

import static org.assertj.core.api.Assertions.assertThat;

/** RANDOM_PORT puts the default server on a free port, whatever the configuration says. */
@SpringBootTest(classes = EchoApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "gserver.address=127.0.0.1", "gserver.port=7000", "gserver.udp.port=7001" })
@Timeout(30)
class RandomPortTest {

	@LocalGServerPort
	int port;

	@Autowired
	private Environment environment;

	@Test
	void theServerIsOnARandomPortAndAnswers() {
		assertThat(this.port).isPositive().isNotEqualTo(7000);
		assertThat(this.environment.getProperty("gserver.port")).isEqualTo("0");
		assertThat(this.environment.getProperty("gserver.udp.port")).isEqualTo("0");
		try (GServerTestClient client = GServerTestClient.connect(this.port)) {
			client.sendLine("random").expectLine("random");
		}
	}

}
