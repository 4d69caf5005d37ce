package dev.gserver.autoconfigure;

import java.util.ArrayList;
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

import dev.gserver.BaseServer;
import dev.gserver.DatagramHandler;
import dev.gserver.DatagramServer;
import dev.gserver.Handler;
import dev.gserver.Spawn;
import dev.gserver.StreamServer;

/**
 * Registers a server bean for each server the properties declare, as the context's bean
 * definitions load: one per {@code gserver.servers.<name>} (TCP, or UDP for a
 * {@link DatagramHandler}); the default TCP server {@code gserver} for the one {@link Handler}
 * bean no other server claims, unless the application declares a {@code StreamServer} of its
 * own; and likewise the UDP server {@code gserverUdp} for a {@code DatagramHandler}.
 */
class ServerRegistrar implements ImportBeanDefinitionRegistrar, EnvironmentAware, BeanFactoryAware {

	private static final Log logger = LogFactory.getLog(ServerRegistrar.class);

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
		boolean userStreamServer = beanNames(StreamServer.class).size() > 0;
		boolean userDatagramServer = beanNames(DatagramServer.class).size() > 0;
		List<String> streamHandlers = beanNames(Handler.class);
		List<String> datagramHandlers = beanNames(DatagramHandler.class);
		List<String> handlers = new ArrayList<>(streamHandlers);
		handlers.addAll(datagramHandlers);
		Set<String> unclaimed = new LinkedHashSet<>(handlers);
		Binder binder = GServerConverters.binder(this.environment);
		for (String name : serverNames(binder)) {
			String prefix = "gserver.servers." + name;
			StreamServerProperties properties = inherit(binder, prefix);
			String handler = handlerOf(name, prefix, properties.getHandler(), handlers);
			unclaimed.remove(handler);
			String beanName = name.equals(handler) ? name + "Server" : name;
			if (datagramHandlers.contains(handler)) {
				register(registry, DatagramServer.class, beanName, name, handler, (factory) -> new ServerFactory(factory)
					.datagram(prefix, properties, factory.getBean(handler, DatagramHandler.class)));
			}
			else {
				register(registry, StreamServer.class, beanName, name, handler, (factory) -> new ServerFactory(factory)
					.stream(prefix, properties, factory.getBean(handler, Handler.class)));
			}
		}
		if (!userStreamServer) {
			String handler = defaultHandler(binder, streamHandlers, unclaimed);
			if (handler != null) {
				register(registry, StreamServer.class, GServerAutoConfiguration.SERVER_BEAN_NAME,
						GServerAutoConfiguration.SERVER_BEAN_NAME, handler, (factory) -> new ServerFactory(factory)
							.stream("gserver", factory.getBean(GServerProperties.class), factory.getBean(handler, Handler.class)));
			}
		}
		List<String> unclaimedDatagram = datagramHandlers.stream().filter(unclaimed::contains).toList();
		if (!userDatagramServer && !unclaimedDatagram.isEmpty()) {
			if (unclaimedDatagram.size() > 1) {
				throw new AmbiguousHandlersException(unclaimedDatagram);
			}
			String handler = unclaimedDatagram.get(0);
			register(registry, DatagramServer.class, GServerAutoConfiguration.UDP_SERVER_BEAN_NAME,
					GServerAutoConfiguration.UDP_SERVER_BEAN_NAME, handler, (factory) -> new ServerFactory(factory)
						.datagram(factory.getBean(GServerProperties.class), factory.getBean(handler, DatagramHandler.class)));
		}
	}

	/** The default server's handler: {@code gserver.handler}, or the one unclaimed; {@code null} for none. */
	private static String defaultHandler(Binder binder, List<String> streamHandlers, Set<String> unclaimed) {
		String named = binder.bind("gserver.handler", String.class).orElse(null);
		if (named != null) {
			return handlerOf(GServerAutoConfiguration.SERVER_BEAN_NAME, "gserver", named, streamHandlers);
		}
		List<String> left = streamHandlers.stream().filter(unclaimed::contains).toList();
		if (left.size() > 1) {
			throw new AmbiguousHandlersException(left);
		}
		if (left.isEmpty()) {
			logger.info((streamHandlers.isEmpty()) ? "No gserver TCP server runs: the context has no dev.gserver.Handler bean"
					: "No default gserver TCP server runs: every Handler bean is claimed by a server under gserver.servers");
			return null;
		}
		return left.get(0);
	}

	private List<String> beanNames(Class<?> type) {
		return List.of(this.beanFactory.getBeanNamesForType(type, true, false));
	}

	/** The names under {@code gserver.servers}, in their order of declaration. */
	private static Set<String> serverNames(Binder binder) {
		return binder.bind("gserver.servers", Bindable.mapOf(String.class, Object.class))
			.map(Map::keySet)
			.orElse(Set.of());
	}

	/**
	 * Binds {@code gserver.*}, then {@code prefix.*} over it: a property the server does not set
	 * keeps the value of {@code gserver.*}, but for the handler, which is the default server's own,
	 * and {@code spawn} and {@code spawn-bean}, one choice: a server that makes it inherits neither.
	 * Checked as a whole, as the default server's are.
	 */
	private static StreamServerProperties inherit(Binder binder, String prefix) {
		StreamServerProperties properties = binder.bind("gserver", Bindable.of(StreamServerProperties.class))
			.orElseGet(StreamServerProperties::new);
		properties.setHandler(null);
		if (binder.bind(prefix + ".spawn", String.class).isBound()
				|| binder.bind(prefix + ".spawn-bean", String.class).isBound()) {
			properties.setSpawn(Spawn.DEFAULT);
			properties.setSpawnBean(null);
		}
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
		for (String candidate : List.of(name + "Handler", name)) {
			if (handlers.contains(candidate)) {
				return candidate;
			}
		}
		throw new InvalidConfigurationPropertyValueException(prefix + ".handler", null, "Server '" + name
				+ "' has no Handler: declare a Handler bean named '" + name + "Handler', or set " + prefix
				+ ".handler to the name of one of " + handlers + ".");
	}

	private static <S extends BaseServer<?, ?>> void register(BeanDefinitionRegistry registry, Class<S> type,
			String beanName, String serverName, String handler, ServerSupplier<S> supplier) {
		RootBeanDefinition definition = new RootBeanDefinition(type);
		definition.setInstanceSupplier((InstanceSupplier<S>) (registered) -> {
			S server = supplier.create(registered.getBeanFactory());
			server.setName(serverName);
			return server;
		});
		definition.setDependsOn(handler);
		definition.setDestroyMethodName(AbstractBeanDefinition.INFER_METHOD);
		registry.registerBeanDefinition(beanName, definition);
	}

	@FunctionalInterface
	private interface ServerSupplier<S> {

		S create(BeanFactory beanFactory) throws Exception;

	}

}
