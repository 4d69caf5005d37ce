package dev.gserver.autoconfigure;

import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import tools.jackson.databind.ObjectMapper;

import static org.assertj.core.api.Assertions.assertThat;

/** The IDE metadata that spring-boot-configuration-processor generates for gserver.* */
class ConfigurationMetadataTest {

	/** Properties whose default is "not set". */
	private static final Set<String> UNSET_BY_DEFAULT = Set.of("gserver.address", "gserver.handler", "gserver.servers", "gserver.backlog", "gserver.input-budget", "gserver.spawn-bean", "gserver.ssl.bundle", "gserver.udp.address");

	@Test
	void everyPropertyHasADescriptionAndADefault() throws Exception {
		List<Map<String, Object>> properties = properties();
		assertThat(properties).extracting((property) -> property.get("name"))
			.contains("gserver.enabled", "gserver.address", "gserver.port", "gserver.spawn", "gserver.max-accept",
					"gserver.min-delay", "gserver.max-delay", "gserver.stop-timeout", "gserver.backlog",
					"gserver.reuse-address", "gserver.shutdown-delay");
		for (Map<String, Object> property : properties) {
			String name = (String) property.get("name");
			assertThat((String) property.get("description")).as(name).isNotBlank().doesNotStartWith("The ");
			if (!UNSET_BY_DEFAULT.contains(name)) {
				assertThat(property.get("defaultValue")).as(name).isNotNull();
			}
		}
	}

	@Test
	void spawnHasHintsForItsNamedValues() throws Exception {
		List<Map<String, Object>> hints = read("hints");
		assertThat(hints).filteredOn((hint) -> "gserver.spawn".equals(hint.get("name")))
			.singleElement()
			.satisfies((hint) -> assertThat((List<?>) hint.get("values")).hasSize(4));
	}

	@Test
	void coversTheNestedGroupsTheServersMapAndTheHealthSwitch() throws Exception {
		assertThat(properties()).extracting((property) -> property.get("name"))
			.contains("gserver.proxy-protocol.mode", "gserver.proxy-protocol.trusted", "gserver.proxy-protocol.timeout",
					"gserver.servers", "gserver.handler", "gserver.ssl.bundle", "gserver.udp.port",
					"management.health.gserver.enabled")
			.doesNotContain("gserver.proxy-protocol-trusted", "gserver.proxy-protocol-timeout");
		assertThat(properties()).filteredOn((property) -> "management.health.gserver.enabled".equals(property.get("name")))
			.singleElement()
			.satisfies((property) -> {
				assertThat((String) property.get("description")).contains("gserver health");
				assertThat(property.get("defaultValue")).isEqualTo(true);
			});
	}

	@Test
	void spawnBeanIsHintedAsAPoolOrAnExecutorBean() throws Exception {
		assertThat(read("hints")).filteredOn((hint) -> "gserver.spawn-bean".equals(hint.get("name")))
			.singleElement()
			.satisfies((hint) -> assertThat((List<?>) hint.get("providers")).extracting(Object::toString)
				.anySatisfy((provider) -> assertThat(provider).contains("dev.gserver.Pool"))
				.anySatisfy((provider) -> assertThat(provider).contains("java.util.concurrent.Executor")));
	}

	private static List<Map<String, Object>> properties() throws Exception {
		return read("properties");
	}

	@SuppressWarnings("unchecked")
	private static List<Map<String, Object>> read(String section) throws Exception {
		try (InputStream in = ConfigurationMetadataTest.class.getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
			assertThat(in).isNotNull();
			Map<String, Object> metadata = new ObjectMapper().readValue(in, Map.class);
			return (List<Map<String, Object>>) metadata.get(section);
		}
	}

}
