package dev.gserver.test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName.Form;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.context.properties.source.IterableConfigurationPropertySource;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.test.context.ContextConfigurationAttributes;
import org.springframework.test.context.ContextCustomizer;
import org.springframework.test.context.ContextCustomizerFactory;
import org.springframework.test.context.MergedContextConfiguration;
import org.springframework.test.context.TestContextAnnotationUtils;

/**
 * Puts every gserver server on a free port under {@code @SpringBootTest(webEnvironment = RANDOM_PORT)},
 * as Spring Boot does the web server with {@code server.port=0}: {@code gserver.port},
 * {@code gserver.udp.port} and {@code gserver.servers.<name>.port} for each configured server
 * become 0, whatever the application's configuration says. A {@code StreamServer} bean of your
 * own keeps the port your code gives it. Registered in {@code META-INF/spring.factories}.
 */
class RandomPortContextCustomizerFactory implements ContextCustomizerFactory {

	@Override
	public @Nullable ContextCustomizer createContextCustomizer(Class<?> testClass,
			List<ContextConfigurationAttributes> configAttributes) {
		// found on an enclosing class too, for @Nested tests
		SpringBootTest test = TestContextAnnotationUtils.findMergedAnnotation(testClass, SpringBootTest.class);
		return (test != null && test.webEnvironment() == WebEnvironment.RANDOM_PORT) ? new Customizer() : null;
	}

	/**
	 * A record without components: every one equal to every other, so that Spring's cache of test
	 * contexts is not split.
	 */
	record Customizer() implements ContextCustomizer {

		/** The name of the property source of zeros. */
		static final String PROPERTY_SOURCE_NAME = "gserver.test.random-ports";

		private static final ConfigurationPropertyName SERVERS = ConfigurationPropertyName.of("gserver.servers");

		@Override
		public void customizeContext(ConfigurableApplicationContext context, MergedContextConfiguration config) {
			ConfigurableEnvironment environment = context.getEnvironment();
			Map<String, Object> ports = new LinkedHashMap<>();
			ports.put("gserver.port", 0);
			ports.put("gserver.udp.port", 0);
			for (String server : serverNames(environment)) {
				ports.put("gserver.servers." + server + ".port", 0);
			}
			// first: over the test's own properties too, as Spring Boot's server.port=0 is
			environment.getPropertySources().addFirst(new MapPropertySource(PROPERTY_SOURCE_NAME, ports));
		}

		/**
		 * The names under {@code gserver.servers.}, as the binder sees them: from
		 * {@code gserver.servers.chat.port} in a file as from {@code GSERVER_SERVERS_CHAT_PORT} in
		 * the environment.
		 */
		static Set<String> serverNames(ConfigurableEnvironment environment) {
			Set<String> names = new TreeSet<>();
			for (ConfigurationPropertySource source : ConfigurationPropertySources.get(environment)) {
				if (source instanceof IterableConfigurationPropertySource iterable) {
					iterable.filter(SERVERS::isAncestorOf).forEach((name) -> {
						if (name.getNumberOfElements() > SERVERS.getNumberOfElements() + 1) {
							names.add(name.getElement(SERVERS.getNumberOfElements(), Form.ORIGINAL));
						}
					});
				}
			}
			return names;
		}

	}

}
