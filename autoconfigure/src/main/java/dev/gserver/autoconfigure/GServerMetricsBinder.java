package dev.gserver.autoconfigure;

import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.SmartInitializingSingleton;

/**
 * Gives every gserver server of the context its meters, tagged with its bean name, once all
 * singletons exist and before any server starts.
 */
public class GServerMetricsBinder implements SmartInitializingSingleton {

	private final ListableBeanFactory beanFactory;

	private final MeterRegistry registry;

	public GServerMetricsBinder(ListableBeanFactory beanFactory, MeterRegistry registry) {
		this.beanFactory = beanFactory;
		this.registry = registry;
	}

	@Override
	public void afterSingletonsInstantiated() {
		ServerBeans.find(this.beanFactory).forEach((name, server) -> server.addEventListener(new GServerMeters(server, name, this.registry)));
	}

}
