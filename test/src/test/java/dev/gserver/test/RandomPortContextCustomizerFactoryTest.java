package dev.gserver.test;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.context.support.GenericApplicationContext;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/** When the RANDOM_PORT customizer applies, and which servers it finds. */
class RandomPortContextCustomizerFactoryTest {

	private final RandomPortContextCustomizerFactory factory = new RandomPortContextCustomizerFactory();

	@Test
	void onlyForRandomPort() {
		assertThat(this.factory.createContextCustomizer(RandomPortTestClass.class, List.of())).isNotNull();
		assertThat(this.factory.createContextCustomizer(Nested.class, List.of())).isNull();
		assertThat(this.factory.createContextCustomizer(MockTestClass.class, List.of())).isNull();
		assertThat(this.factory.createContextCustomizer(DefinedPortTestClass.class, List.of())).isNull();
		assertThat(this.factory.createContextCustomizer(RandomPortTestClass.Inner.class, List.of())).isNotNull();
	}

	@Test
	void everyServerFoundGetsPortZeroOverTheConfiguration() {
		StandardEnvironment environment = new StandardEnvironment();
		environment.getPropertySources()
			.addFirst(new MapPropertySource("test", Map.of("gserver.port", 7000, "gserver.servers.chat.port", 7001,
					"gserver.servers.chat.handler", "chatHandler", "gserver.servers.admin.spawn", "raw",
					"gserver.serversx.other.port", 1)));
		// mapped as environment variables by that name only, as Spring Boot maps them
		environment.getPropertySources()
			.replace(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
					new SystemEnvironmentPropertySource(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
							Map.of("GSERVER_SERVERS_METRICS_PORT", "9000")));
		GenericApplicationContext context = new GenericApplicationContext();
		context.setEnvironment(environment);
		this.factory.createContextCustomizer(RandomPortTestClass.class, List.of()).customizeContext(context, null);
		assertThat(environment.getProperty("gserver.port")).isEqualTo("0");
		assertThat(environment.getProperty("gserver.udp.port")).isEqualTo("0");
		assertThat(environment.getProperty("gserver.servers.chat.port")).isEqualTo("0");
		assertThat(environment.getProperty("gserver.servers.admin.port")).isEqualTo("0");
		assertThat(environment.getProperty("gserver.servers.metrics.port")).isEqualTo("0");
		assertThat(environment.getProperty("gserver.serversx.other.port")).isEqualTo("1");
		assertThat(environment.getProperty("gserver.servers.chat.handler")).isEqualTo("chatHandler");
		context.close();
	}

	@Test
	void customizersAreEqualSoThatContextsAreCached() {
		assertThat(this.factory.createContextCustomizer(RandomPortTestClass.class, List.of()))
			.isEqualTo(this.factory.createContextCustomizer(RandomPortTestClass.class, List.of()));
	}

	@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
	static class RandomPortTestClass {

		class Inner {

		}

	}

	@SpringBootTest
	static class MockTestClass {

	}

	@SpringBootTest(webEnvironment = WebEnvironment.DEFINED_PORT)
	static class DefinedPortTestClass {

	}

}
