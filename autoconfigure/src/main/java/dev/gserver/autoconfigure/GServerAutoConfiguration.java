package dev.gserver.autoconfigure;

import java.time.Duration;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.context.LifecycleProperties;
import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.boot.context.properties.ConfigurationPropertiesBinding;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.Environment;

import dev.gserver.DatagramHandler;
import dev.gserver.DatagramServer;
import dev.gserver.Handler;
import dev.gserver.StreamServer;

/**
 * Auto-configuration of gserver: a {@link StreamServer} for the {@link Handler} bean
 * ({@code gserver.*}), one more per {@code gserver.servers.<name>}, a {@link DatagramServer} for
 * a {@link DatagramHandler} bean ({@code gserver.udp.*}), and the life cycle of every gserver
 * server of the context, the application's own included.
 */
@AutoConfiguration(afterName = "org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration")
@ConditionalOnBooleanProperty(name = "gserver.enabled", matchIfMissing = true)
@EnableConfigurationProperties(GServerProperties.class)
@Import(ServerRegistrar.class)
public final class GServerAutoConfiguration {

	/** The bean name of the default server; also its {@code name} tag on metrics. */
	public static final String SERVER_BEAN_NAME = "gserver";

	/** The bean name of the auto-configured UDP server. */
	public static final String UDP_SERVER_BEAN_NAME = "gserverUdp";

	@Bean
	static ServerBeanPostProcessor gserverServerBeanPostProcessor(ObjectProvider<GServerProperties> properties,
			ObjectProvider<GServerCustomizer> customizers, ObjectProvider<LifecycleProperties> lifecycle,
			ConfigurableApplicationContext context) {
		return new ServerBeanPostProcessor(properties, customizers, lifecycle, context);
	}

	@Bean
	@ConfigurationPropertiesBinding
	static GServerConverters.StringToSpawn gserverStringToSpawnConverter() {
		return new GServerConverters.StringToSpawn();
	}

	@Bean
	@ConfigurationPropertiesBinding
	static GServerConverters.StringToCidrRange gserverStringToCidrRangeConverter() {
		return new GServerConverters.StringToCidrRange();
	}

	@Bean(ServerFactory.BEAN_NAME)
	ServerFactory gserverServerFactory(ListableBeanFactory beanFactory, Environment environment) {
		return new ServerFactory(beanFactory, environment);
	}

	@Bean
	@ConditionalOnMissingBean
	GServerLifecycle gserverLifecycle(ListableBeanFactory beanFactory, ApplicationEventPublisher publisher,
			ObjectProvider<ApplicationAvailability> availability, GServerProperties properties,
			ObjectProvider<LifecycleProperties> lifecycle) {
		Duration shutdownDelay = new ShutdownBudget(
				lifecycle.getIfAvailable(LifecycleProperties::new).getTimeoutPerShutdownPhase(),
				properties.getShutdownDelay())
			.fitShutdownDelay();
		return new GServerLifecycle(ServerBeans.find(beanFactory), publisher, availability.getIfAvailable(),
				shutdownDelay);
	}

	@Bean
	@ConditionalOnMissingBean
	GServerPortPublisher gserverPortPublisher(ConfigurableEnvironment environment, ListableBeanFactory beanFactory) {
		return new GServerPortPublisher(environment, beanFactory.getBeanNamesForType(StreamServer.class).length == 1,
				beanFactory.getBeanNamesForType(DatagramServer.class).length == 1);
	}

}
