package dev.gserver.test;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.core.env.Environment;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link LocalGServerPort} on a field, a method parameter and a constructor parameter: the default server. */
@SpringBootTest(classes = EchoApplication.class, properties = { "gserver.address=127.0.0.1", "gserver.port=0" })
@Timeout(30)
class LocalGServerPortTest {

	@LocalGServerPort
	int port;

	@LocalGServerPort(server = "gserver")
	int portByName;

	private final int constructorPort;

	@Autowired
	private Environment environment;

	LocalGServerPortTest(@LocalGServerPort int constructorPort) {
		this.constructorPort = constructorPort;
	}

	@Test
	void theBoundPortIsInjectedIntoAField() {
		assertThat(this.port).isPositive().isEqualTo(this.environment.getProperty("local.gserver.port", Integer.class));
		try (GServerTestClient client = GServerTestClient.connect(this.port)) {
			client.sendLine("hello").expectLine("hello");
		}
	}

	@Test
	void andIntoParameters(@LocalGServerPort int parameter, @LocalGServerPort("gserver") int named) {
		assertThat(parameter).isEqualTo(this.port).isEqualTo(this.constructorPort).isEqualTo(named)
			.isEqualTo(this.portByName);
	}

	@Test
	void theClientFindsTheServerInTheEnvironment() {
		try (GServerTestClient client = GServerTestClient.connect(this.environment)) {
			client.sendLine("found").expectLine("found");
		}
	}

}
