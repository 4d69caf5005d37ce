/**
 * Test support for gserver applications; add {@code gserver-spring-boot-test} with test scope.
 * <p>
 * <b>Public:</b> {@link dev.gserver.test.LocalGServerPort} (the bound port of a started server,
 * injected into a test), {@link dev.gserver.test.GServerTestClient} (a blocking client: lines,
 * RESP, length-prefixed frames, each expectation bounded by a timeout),
 * {@link dev.gserver.test.EmbeddedConnection} (a handler served in memory, for unit tests), and
 * {@link dev.gserver.test.RespError}. With this module on the test class path,
 * {@code @SpringBootTest(webEnvironment = RANDOM_PORT)} also puts every gserver server on a free
 * port. The rest is internal: the context customizers listed in {@code META-INF/spring.factories}.
 */
@NullMarked
package dev.gserver.test;

import org.jspecify.annotations.NullMarked;
