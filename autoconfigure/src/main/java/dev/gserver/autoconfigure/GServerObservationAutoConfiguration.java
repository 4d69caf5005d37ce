package dev.gserver.autoconfigure;

import io.micrometer.core.instrument.observation.MeterObservationHandler;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;

import dev.gserver.observation.GServerConnectionContext;
import dev.gserver.observation.GServerConnectionObservationConvention;

/**
 * Each connection of every gserver TCP server a {@code gserver.connection} observation, when the
 * application has an {@link ObservationRegistry} (Actuator brings one; Micrometer Tracing makes its
 * observations spans).
 */
@AutoConfiguration(after = GServerAutoConfiguration.class,
		afterName = "org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration")
@ConditionalOnClass(ObservationRegistry.class)
@ConditionalOnBean({ ObservationRegistry.class, GServerLifecycle.class })
public final class GServerObservationAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	GServerObservationBinder gserverObservationBinder(ListableBeanFactory beanFactory,
			ObservationRegistry registry, ObjectProvider<GServerConnectionObservationConvention> convention) {
		return new GServerObservationBinder(beanFactory, registry, convention.getIfAvailable());
	}

	/**
	 * A connection's meter is {@code gserver.handler.duration} already; the observation is for
	 * spans. Spring Boot's meter handlers take an observation by the first that supports it, so
	 * this one, first, keeps Boot's default handler from making a second timer of each connection
	 * (and 3 more series per outcome and error).
	 */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(MeterObservationHandler.class)
	static class ConnectionMetersConfiguration {

		@Bean
		@Order(Ordered.HIGHEST_PRECEDENCE)
		static MeterObservationHandler<GServerConnectionContext> gserverConnectionMeterObservationHandler() {
			return new MeterObservationHandler<>() {

				@Override
				public boolean supportsContext(Observation.Context context) {
					return context instanceof GServerConnectionContext;
				}

			};
		}

	}

}
