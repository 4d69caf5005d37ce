package dev.gserver.autoconfigure;

import io.micrometer.observation.ObservationRegistry;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.SmartInitializingSingleton;

import dev.gserver.ConnectionObserver;
import dev.gserver.StreamServer;
import dev.gserver.observation.ConnectionObservations;
import dev.gserver.observation.GServerConnectionObservationConvention;

/**
 * Gives every gserver TCP server of the context {@link ConnectionObservations} over the
 * application's registry, once all singletons exist and before any server starts. A server that
 * already has an observer keeps it; a UDP server has no connections and is left alone.
 */
public class GServerObservationBinder implements SmartInitializingSingleton {

	private final ListableBeanFactory beanFactory;

	private final ConnectionObservations observations;

	/**
	 * @param convention the application's convention, replacing the default; or {@code null}
	 */
	public GServerObservationBinder(ListableBeanFactory beanFactory, ObservationRegistry registry,
			@Nullable GServerConnectionObservationConvention convention) {
		this.beanFactory = beanFactory;
		this.observations = new ConnectionObservations(registry, convention);
	}

	@Override
	public void afterSingletonsInstantiated() {
		ServerBeans.find(this.beanFactory).forEach((name, server) -> {
			if (server instanceof StreamServer && server.getConnectionObserver() == ConnectionObserver.NONE) {
				server.setConnectionObserver(this.observations);
			}
		});
	}

}
