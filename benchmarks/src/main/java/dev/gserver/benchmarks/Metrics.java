package dev.gserver.benchmarks;

import java.util.Map;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import org.springframework.beans.factory.support.StaticListableBeanFactory;

import dev.gserver.BaseServer;
import dev.gserver.autoconfigure.GServerMetricsBinder;

/**
 * Gives a server its meters the way the starter does: {@link GServerMetricsBinder} finds it in a
 * bean factory and registers the metrics listener on it. The {@code metrics} parameter of the
 * benchmarks names the registry: {@code off} (no registry, so no listener: the baseline),
 * {@code simple} or {@code prometheus} (the registry the sample app scrapes).
 */
final class Metrics {

	/** The server's bean name, which the meters carry as their {@code name} tag. */
	static final String SERVER_BEAN_NAME = "benchmarkServer";

	private Metrics() {
	}

	/**
	 * Binds the meters of {@code server} into a new registry of the kind {@code metrics} names.
	 * @return the registry, for the caller to close; {@code null} for {@code off}
	 */
	static MeterRegistry bind(BaseServer<?, ?> server, String metrics) {
		MeterRegistry registry = newRegistry(metrics);
		if (registry != null) {
			StaticListableBeanFactory beanFactory = new StaticListableBeanFactory(Map.of(SERVER_BEAN_NAME, server));
			new GServerMetricsBinder(beanFactory, registry).afterSingletonsInstantiated();
		}
		return registry;
	}

	private static MeterRegistry newRegistry(String metrics) {
		switch (metrics) {
			case "off":
				return null;
			case "simple":
				return new SimpleMeterRegistry();
			case "prometheus":
				return new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
			default:
				throw new IllegalArgumentException("Unknown metrics '" + metrics + "': off, simple or prometheus");
		}
	}

	static void close(MeterRegistry registry) {
		if (registry != null) {
			registry.close();
		}
	}

}
