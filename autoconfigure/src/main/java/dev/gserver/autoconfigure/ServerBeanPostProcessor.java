package dev.gserver.autoconfigure;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.autoconfigure.context.LifecycleProperties;
import org.springframework.context.ConfigurableApplicationContext;

import dev.gserver.BaseServer;
import dev.gserver.StreamServer;

/**
 * Readies every gserver server bean, gserver's own or the application's, before it starts: names
 * it after its bean (unless gserver named it), applies the {@link GServerCustomizer}s to TCP
 * servers, closes the context on a fatal error when {@code gserver.shutdown-on-fatal-error} says
 * so, and fits its stop timeout into the shutdown phase after the shutdown delay
 * ({@link ShutdownBudget}), with a warning when that cuts it.
 */
class ServerBeanPostProcessor implements BeanPostProcessor {

	private final ObjectProvider<GServerProperties> properties;

	private final ObjectProvider<GServerCustomizer> customizers;

	private final ObjectProvider<LifecycleProperties> lifecycle;

	private final ConfigurableApplicationContext context;

	ServerBeanPostProcessor(ObjectProvider<GServerProperties> properties, ObjectProvider<GServerCustomizer> customizers,
			ObjectProvider<LifecycleProperties> lifecycle, ConfigurableApplicationContext context) {
		this.properties = properties;
		this.customizers = customizers;
		this.lifecycle = lifecycle;
		this.context = context;
	}

	@Override
	public Object postProcessBeforeInitialization(Object bean, String beanName) {
		if (bean instanceof BaseServer<?, ?> server) {
			if (BaseServer.DEFAULT_NAME.equals(server.getName())) {
				server.setName(beanName);
			}
			if (server instanceof StreamServer stream) {
				this.customizers.orderedStream().forEach((customizer) -> customizer.customize(stream));
			}
			if (this.properties.getObject().isShutdownOnFatalError()) {
				server.addEventListener(new FatalErrorShutdown(server, this.context));
			}
			fitStopTimeout(server, beanName);
		}
		return bean;
	}

	private void fitStopTimeout(BaseServer<?, ?> server, String beanName) {
		ShutdownBudget budget = new ShutdownBudget(
				this.lifecycle.getIfAvailable(LifecycleProperties::new).getTimeoutPerShutdownPhase(),
				this.properties.getObject().getShutdownDelay());
		server.setStopTimeout(budget.fitStopTimeout(server.getStopTimeout(), server.getName(),
				stopTimeoutProperty(server, beanName)));
	}

	private String stopTimeoutProperty(BaseServer<?, ?> server, String beanName) {
		if (this.properties.getObject().getServers().containsKey(server.getName())) {
			return "gserver.servers." + server.getName() + ".stop-timeout";
		}
		boolean own = GServerAutoConfiguration.SERVER_BEAN_NAME.equals(beanName)
				|| GServerAutoConfiguration.UDP_SERVER_BEAN_NAME.equals(beanName);
		return own ? "gserver.stop-timeout" : "the stop timeout of bean '" + beanName + "'";
	}

}
