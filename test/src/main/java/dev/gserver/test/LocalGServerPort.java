package dev.gserver.test;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.core.annotation.AliasFor;

/**
 * Injects the port a started gserver server is bound to, as Spring Boot's
 * {@code @LocalServerPort} does for the web server: on a test's fields, and on the parameters of
 * its methods and constructor under JUnit's {@code SpringExtension} ({@code @SpringBootTest}).
 *
 * <pre>{@code
 * @LocalGServerPort int port;               // local.gserver.port: the default server
 * @LocalGServerPort("chat") int chatPort;   // local.gserver.chat.port: the server named chat
 * @LocalGServerPort("udp") int udpPort;     // local.gserver.udp.port: the UDP server
 * }</pre>
 *
 * The server's name is its bean name: {@code gserver.servers.<name>} for a configured one, the
 * bean's name for a {@code StreamServer} bean of your own. The ports are published once the
 * servers have started, so the annotation works where a test is injected (after the context is
 * refreshed), not in the application's own beans.
 * <p>
 * How: {@code @Value("${local.gserver.port}")} makes the annotated element injectable by Spring
 * (SpringExtension resolves only parameters it can autowire); for a named server, a resolver this
 * module installs in every test context turns the placeholder into
 * {@code ${local.gserver.<name>.port}}.
 */
@Target({ ElementType.FIELD, ElementType.METHOD, ElementType.PARAMETER, ElementType.ANNOTATION_TYPE })
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Value("${local.gserver.port}")
public @interface LocalGServerPort {

	/** The server's name (its bean name); empty for the default server, {@code local.gserver.port}. */
	@AliasFor("server")
	String value() default "";

	/** Alias of {@link #value()}. */
	@AliasFor("value")
	String server() default "";

}
