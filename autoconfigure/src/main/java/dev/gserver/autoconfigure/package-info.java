/**
 * The Spring Boot side of gserver: auto-configuration that builds servers from {@code gserver.*}
 * properties, a lifecycle that starts and stops them with the application context, Micrometer
 * meters and observations, an Actuator health contributor and endpoint, and failure analyzers.
 * The only package that imports Spring.
 * <p>
 * <b>Public:</b> {@link dev.gserver.autoconfigure.GServerProperties} and its nested groups (the
 * properties), {@link dev.gserver.autoconfigure.GServerCustomizer} (changes a server before it
 * starts), the auto-configuration classes, {@link dev.gserver.autoconfigure.GServerStartedEvent}
 * and {@link dev.gserver.autoconfigure.GServerStartException}. Everything else is internal.
 */
@NullMarked
package dev.gserver.autoconfigure;

import org.jspecify.annotations.NullMarked;
