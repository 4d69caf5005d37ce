package dev.gserver.autoconfigure;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.autoconfigure.endpoint.expose.EndpointExposure;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/** The {@code gserver} Actuator endpoint, when the application exposes it. */
@AutoConfiguration(after = GServerAutoConfiguration.class)
@ConditionalOnClass(Endpoint.class)
@ConditionalOnBean(GServerLifecycle.class)
@ConditionalOnAvailableEndpoint(GServerEndpoint.class)
public final class GServerEndpointAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	GServerEndpoint gserverEndpoint(ListableBeanFactory beanFactory) {
		return new GServerEndpoint(beanFactory);
	}

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnBean(GServerEndpoint.class)
	@ConditionalOnAvailableEndpoint(exposure = EndpointExposure.WEB)
	GServerEndpointWebExtension gserverEndpointWebExtension(GServerEndpoint endpoint) {
		return new GServerEndpointWebExtension(endpoint);
	}

}
