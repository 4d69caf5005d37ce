package dev.gserver.observation;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationConvention;

/**
 * Names a {@code gserver.connection} observation and gives its key values. Under Spring Boot, a
 * bean of this type replaces {@link DefaultGServerConnectionObservationConvention}; extend that
 * class to add keys rather than restate them.
 */
public interface GServerConnectionObservationConvention extends ObservationConvention<GServerConnectionContext> {

	@Override
	default boolean supportsContext(Observation.Context context) {
		return context instanceof GServerConnectionContext;
	}

}
