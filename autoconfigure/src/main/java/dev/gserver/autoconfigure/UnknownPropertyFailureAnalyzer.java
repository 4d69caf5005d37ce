package dev.gserver.autoconfigure;

import java.beans.PropertyDescriptor;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.jspecify.annotations.Nullable;

import org.springframework.beans.BeanUtils;
import org.springframework.boot.context.properties.bind.UnboundConfigurationPropertiesException;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.core.Ordered;

/**
 * Explains a key under {@code gserver.*} that no property has (a typo: {@code gserver.prot}),
 * naming the nearest property that exists. Ahead of Spring Boot's own analysis of unbound
 * properties, which does not suggest one.
 */
class UnknownPropertyFailureAnalyzer extends AbstractFailureAnalyzer<UnboundConfigurationPropertiesException>
		implements Ordered {

	private static final String SERVER_NAME = "<name>";

	@Override
	public int getOrder() {
		return Ordered.HIGHEST_PRECEDENCE;
	}

	@Override
	protected @Nullable FailureAnalysis analyze(Throwable rootFailure, UnboundConfigurationPropertiesException cause) {
		List<ConfigurationProperty> unknown = cause.getUnboundProperties()
			.stream()
			.filter((property) -> property.getName().toString().startsWith("gserver."))
			.sorted(Comparator.comparing((property) -> property.getName().toString()))
			.toList();
		if (unknown.isEmpty()) {
			return null;
		}
		StringBuilder description = new StringBuilder("gserver has no such property:\n");
		StringBuilder action = new StringBuilder();
		for (ConfigurationProperty property : unknown) {
			String name = property.getName().toString();
			description.append("\n\t").append(name).append(" = ").append(property.getValue());
			if (property.getOrigin() != null) {
				description.append(" (").append(property.getOrigin()).append(")");
			}
			action.append((action.length() == 0) ? "" : "\n")
				.append("Replace ").append(name).append(" with ").append(nearest(property.getName()))
				.append(", or remove it.");
		}
		action.append("\nEvery gserver property is listed in docs/configuration.md and in your IDE's completion.");
		return new FailureAnalysis(description.toString(), action.toString(), cause);
	}

	/** Returns the gserver property whose name is the fewest edits away from {@code unknown}. */
	static String nearest(ConfigurationPropertyName unknown) {
		String name = unknown.toString();
		// gserver.servers.<name>.* : compare within the server's own properties
		String server = (unknown.getNumberOfElements() > 3 && unknown.getElement(1, ConfigurationPropertyName.Form.UNIFORM).equals("servers"))
				? unknown.getElement(2, ConfigurationPropertyName.Form.ORIGINAL) : null;
		List<String> candidates = new ArrayList<>();
		names(GServerProperties.class, "gserver", candidates);
		return candidates.stream()
			.map((candidate) -> (server != null) ? candidate.replace(SERVER_NAME, server) : candidate)
			.min(Comparator.comparingInt((String candidate) -> distance(name, candidate)))
			.orElseThrow();
	}

	/** Collects the property names of {@code type} under {@code prefix}, as the binder spells them. */
	private static void names(Class<?> type, String prefix, List<String> names) {
		for (PropertyDescriptor property : BeanUtils.getPropertyDescriptors(type)) {
			if (property.getReadMethod() == null || property.getName().equals("class")) {
				continue;
			}
			String name = prefix + "." + kebab(property.getName());
			Class<?> propertyType = property.getPropertyType();
			if (Map.class.isAssignableFrom(propertyType)) {
				names(StreamServerProperties.class, name + "." + SERVER_NAME, names);
			}
			else if (propertyType.getPackageName().equals(GServerProperties.class.getPackageName()) && !propertyType.isEnum()) {
				names(propertyType, name, names);
			}
			else {
				names.add(name);
			}
		}
	}

	private static String kebab(String camel) {
		return camel.chars()
			.mapToObj((c) -> Character.isUpperCase(c) ? "-" + Character.toLowerCase((char) c) : String.valueOf((char) c))
			.collect(Collectors.joining());
	}

	/** Levenshtein distance: the fewest insertions, deletions and substitutions from a to b. */
	private static int distance(String a, String b) {
		int[] previous = new int[b.length() + 1];
		int[] current = new int[b.length() + 1];
		for (int j = 0; j <= b.length(); j++) {
			previous[j] = j;
		}
		for (int i = 1; i <= a.length(); i++) {
			current[0] = i;
			for (int j = 1; j <= b.length(); j++) {
				int substitution = previous[j - 1] + ((a.charAt(i - 1) == b.charAt(j - 1)) ? 0 : 1);
				current[j] = Math.min(substitution, Math.min(previous[j] + 1, current[j - 1] + 1));
			}
			int[] swap = previous;
			previous = current;
			current = swap;
		}
		return previous[b.length()];
	}

}
