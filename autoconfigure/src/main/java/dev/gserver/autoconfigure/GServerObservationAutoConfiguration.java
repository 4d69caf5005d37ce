package dev.gserver.autoconfigure;

import io.micrometer.observation.ObservationRegistry;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

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

}
