package dev.gserver.autoconfigure;

import dev.gserver.StreamServer;

/**
 * Adjusts the auto-configured {@link StreamServer} before it starts. Every customizer bean is
 * applied, in {@link org.springframework.core.annotation.Order order}, after the
 * {@code gserver.*} properties.
 */
@FunctionalInterface
public interface GServerCustomizer {

	void customize(StreamServer server);

}
