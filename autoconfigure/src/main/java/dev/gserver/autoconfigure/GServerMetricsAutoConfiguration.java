package dev.gserver.autoconfigure;

import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/** Micrometer meters for every gserver server, when the application has a {@link MeterRegistry}. */
@AutoConfiguration(after = GServerAutoConfiguration.class,
		afterName = "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration")
@ConditionalOnClass(MeterRegistry.class)
@ConditionalOnBean({ MeterRegistry.class, GServerLifecycle.class })
public final class GServerMetricsAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	GServerMetricsBinder gserverMetricsBinder(ListableBeanFactory beanFactory, MeterRegistry registry) {
		return new GServerMetricsBinder(beanFactory, registry);
	}

}
