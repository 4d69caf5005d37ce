package dev.gserver.autoconfigure;

import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.support.AbstractBeanDefinition;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.beans.factory.support.InstanceSupplier;
import org.springframework.beans.factory.support.RootBeanDefinition;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.bind.handler.IgnoreTopLevelConverterNotFoundBindHandler;
import org.springframework.boot.context.properties.bind.validation.ValidationBindHandler;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.context.EnvironmentAware;
import org.springframework.context.annotation.ImportBeanDefinitionRegistrar;
import org.springframework.core.env.Environment;
import org.springframework.core.type.AnnotationMetadata;

import dev.gserver.Handler;
import dev.gserver.StreamServer;

/**
 * Registers a {@link StreamServer} bean for each TCP server the properties declare, as the
 * context's bean definitions load: one per {@code gserver.servers.<name>}, and the default server
 * {@code gserver} for the one {@link Handler} bean no other server claims, unless the application
 * declares a {@code StreamServer} bean of its own.
 */
class StreamServerRegistrar implements ImportBeanDefinitionRegistrar, EnvironmentAware, BeanFactoryAware {

	private static final Log logger = LogFactory.getLog(StreamServerRegistrar.class);

	private Environment environment;

	private ListableBeanFactory beanFactory;

	@Override
	public void setEnvironment(Environment environment) {
		this.environment = environment;
	}

	@Override
	public void setBeanFactory(BeanFactory beanFactory) {
		this.beanFactory = (ListableBeanFactory) beanFactory;
	}

	@Override
	public void registerBeanDefinitions(AnnotationMetadata metadata, BeanDefinitionRegistry registry) {
		boolean userServer = this.beanFactory.getBeanNamesForType(StreamServer.class, true, false).length > 0;
		List<String> handlers = List.of(this.beanFactory.getBeanNamesForType(Handler.class, true, false));
		Set<String> unclaimed = new LinkedHashSet<>(handlers);
		Binder binder = GServerConverters.binder(this.environment);
		for (String name : serverNames(binder)) {
			String prefix = "gserver.servers." + name;
			StreamServerProperties properties = inherit(binder, prefix);
			String handler = handlerOf(name, prefix, properties.getHandler(), handlers);
			unclaimed.remove(handler);
			register(registry, name.equals(handler) ? name + "Server" : name, name, handler,
					(beanFactory) -> new StreamServerFactory(beanFactory).create(prefix, properties, handler(beanFactory, handler)));
		}
		if (!userServer) {
			registerDefaultServer(registry, binder, handlers, unclaimed);
		}
	}

	private void registerDefaultServer(BeanDefinitionRegistry registry, Binder binder, List<String> handlers,
			Set<String> unclaimed) {
		String named = binder.bind("gserver.handler", String.class).orElse(null);
		String handler;
		if (named != null) {
			handler = handlerOf(GServerAutoConfiguration.SERVER_BEAN_NAME, "gserver", named, handlers);
		}
		else if (unclaimed.size() == 1) {
			handler = unclaimed.iterator().next();
		}
		else if (unclaimed.isEmpty()) {
			logger.info((handlers.isEmpty()) ? "No gserver TCP server runs: the context has no dev.gserver.Handler bean"
					: "No default gserver TCP server runs: every Handler bean is claimed by a server under gserver.servers");
			return;
		}
		else {
			throw new AmbiguousHandlersException(List.copyOf(unclaimed));
		}
		register(registry, GServerAutoConfiguration.SERVER_BEAN_NAME, GServerAutoConfiguration.SERVER_BEAN_NAME,
				handler, (beanFactory) -> new StreamServerFactory(beanFactory).create("gserver",
						beanFactory.getBean(GServerProperties.class), handler(beanFactory, handler)));
	}

	/** The names under {@code gserver.servers}, in their order of declaration. */
	private static Set<String> serverNames(Binder binder) {
		return binder.bind("gserver.servers", Bindable.mapOf(String.class, Object.class))
			.map(Map::keySet)
			.orElse(Set.of());
	}

	/**
	 * Binds {@code gserver.*}, then {@code prefix.*} over it: a property the server does not set
	 * keeps the value of {@code gserver.*}, but for the handler, which is the default server's own.
	 * Checked as a whole, as the default server's are.
	 */
	private static StreamServerProperties inherit(Binder binder, String prefix) {
		StreamServerProperties properties = binder.bind("gserver", Bindable.of(StreamServerProperties.class))
			.orElseGet(StreamServerProperties::new);
		properties.setHandler(null);
		binder.bind(prefix, Bindable.ofInstance(properties),
				new ValidationBindHandler(new IgnoreTopLevelConverterNotFoundBindHandler(), new GServerPropertiesValidator()));
		return properties;
	}

	/** The bean name of the handler of server {@code name}: {@code named}, or by convention. */
	private static String handlerOf(String name, String prefix, String named, List<String> handlers) {
		if (named != null) {
			if (!handlers.contains(named)) {
				throw new InvalidConfigurationPropertyValueException(prefix + ".handler", named,
						"The context has no Handler bean named '" + named + "'; its Handler beans are " + handlers + ".");
			}
			return named;
		}
		for (String candidate : Arrays.asList(name + "Handler", name)) {
			if (handlers.contains(candidate)) {
				return candidate;
			}
		}
		throw new InvalidConfigurationPropertyValueException(prefix + ".handler", null, "Server '" + name
				+ "' has no Handler: declare a Handler bean named '" + name + "Handler', or set " + prefix
				+ ".handler to the name of one of " + handlers + ".");
	}

	private static Handler handler(BeanFactory beanFactory, String name) {
		return beanFactory.getBean(name, Handler.class);
	}

	private static void register(BeanDefinitionRegistry registry, String beanName, String serverName, String handler,
			ServerSupplier supplier) {
		RootBeanDefinition definition = new RootBeanDefinition(StreamServer.class);
		definition.setInstanceSupplier((InstanceSupplier<StreamServer>) (registered) -> {
			StreamServer server = supplier.create(registered.getBeanFactory());
			server.setName(serverName);
			return server;
		});
		definition.setDependsOn(handler);
		definition.setDestroyMethodName(AbstractBeanDefinition.INFER_METHOD);
		registry.registerBeanDefinition(beanName, definition);
	}

	@FunctionalInterface
	private interface ServerSupplier {

		StreamServer create(BeanFactory beanFactory) throws Exception;

	}

}
