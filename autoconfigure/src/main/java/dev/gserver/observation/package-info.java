/**
 * Micrometer observations of gserver's connections and of the requests within them; with
 * Micrometer Tracing, spans. Plain Java over {@code micrometer-observation} (an optional
 * dependency: only a server given a {@link dev.gserver.observation.ConnectionObservations} loads
 * it), installed by the Spring Boot starter when the application has an {@code ObservationRegistry}.
 * <p>
 * <b>Public:</b> {@link dev.gserver.observation.ConnectionObservations} (the
 * {@link dev.gserver.ConnectionObserver} that makes each connection a {@code gserver.connection}
 * observation), its context and convention ({@link dev.gserver.observation.GServerConnectionContext},
 * {@link dev.gserver.observation.GServerConnectionObservationConvention},
 * {@link dev.gserver.observation.DefaultGServerConnectionObservationConvention}), and the
 * handlers' helper for one observation per request ({@link dev.gserver.observation.RequestObservations},
 * {@link dev.gserver.observation.GServerRequestContext}).
 */
@NullMarked
package dev.gserver.observation;

import org.jspecify.annotations.NullMarked;
