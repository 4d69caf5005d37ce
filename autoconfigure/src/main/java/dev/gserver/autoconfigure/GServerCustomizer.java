package dev.gserver.autoconfigure;

import dev.gserver.StreamServer;

/**
 * Adjusts each TCP server of the context before it starts: the default one, each one under
 * {@code gserver.servers}, and the application's own {@code StreamServer} beans. Every
 * customizer bean is applied, in {@link org.springframework.core.annotation.Order order}, after
 * the properties; {@link StreamServer#getName()} tells which server it is.
 */
@FunctionalInterface
public interface GServerCustomizer {

	void customize(StreamServer server);

}
