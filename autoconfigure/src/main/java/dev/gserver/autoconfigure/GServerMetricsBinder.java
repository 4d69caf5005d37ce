package dev.gserver.autoconfigure;

import java.util.Map;

import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.SmartInitializingSingleton;

import dev.gserver.BaseServer;

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
	@SuppressWarnings("rawtypes")
	public void afterSingletonsInstantiated() {
		Map<String, BaseServer> servers = this.beanFactory.getBeansOfType(BaseServer.class);
		servers.forEach((name, server) -> server.addEventListener(new GServerMeters(server, name, this.registry)));
	}

}
