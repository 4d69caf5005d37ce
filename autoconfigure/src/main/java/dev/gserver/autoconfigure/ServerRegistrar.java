package dev.gserver.autoconfigure;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.support.AbstractBeanDefinition;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.beans.factory.support.RootBeanDefinition;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.context.EnvironmentAware;
import org.springframework.context.annotation.ImportBeanDefinitionRegistrar;
import org.springframework.core.env.Environment;
import org.springframework.core.type.AnnotationMetadata;

import dev.gserver.DatagramHandler;
import dev.gserver.DatagramServer;
import dev.gserver.Handler;
import dev.gserver.StreamServer;

/**
 * Registers a server bean for each server the properties declare, as the context's bean
 * definitions load: one per {@code gserver.servers.<name>} (TCP, or UDP for a
 * {@link DatagramHandler}); the default TCP server {@code gserver} for the one {@link Handler}
 * bean no other server claims, unless the application declares a {@code StreamServer} of its
 * own; and likewise the UDP server {@code gserverUdp} for a {@code DatagramHandler}. It decides
 * which servers exist and which handler each runs; {@link ServerFactory} makes them, from the
 * properties, when the beans are created.
 */
class ServerRegistrar implements ImportBeanDefinitionRegistrar, EnvironmentAware, BeanFactoryAware {

	/** Where the further servers are declared. */
	static final String SERVERS = "gserver.servers";

	private static final Log logger = LogFactory.getLog(ServerRegistrar.class);

	// both set by Spring (the Aware callbacks) before it calls registerBeanDefinitions: NullAway cannot see that
	@SuppressWarnings("NullAway.Init")
	private Environment environment;

	@SuppressWarnings("NullAway.Init")
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
		boolean userStreamServer = !beanNames(StreamServer.class).isEmpty();
		boolean userDatagramServer = !beanNames(DatagramServer.class).isEmpty();
		List<String> streamHandlers = beanNames(Handler.class);
		List<String> datagramHandlers = beanNames(DatagramHandler.class);
		List<String> handlers = new ArrayList<>(streamHandlers);
		handlers.addAll(datagramHandlers);
		Set<String> unclaimed = new LinkedHashSet<>(handlers);
		Binder binder = Binder.get(this.environment);
		for (String name : serverNames(binder)) {
			String prefix = SERVERS + "." + name;
			String handler = handlerOf(name, prefix, binder.bind(prefix + ".handler", String.class).orElse(null), handlers);
			unclaimed.remove(handler);
			String beanName = name.equals(handler) ? name + "Server" : name;
			boolean datagram = datagramHandlers.contains(handler);
			register(registry, beanName, datagram ? DatagramServer.class : StreamServer.class,
					datagram ? "namedDatagramServer" : "namedServer", handler, name, handler);
		}
		if (!userStreamServer) {
			String handler = defaultHandler(binder, streamHandlers, unclaimed);
			if (handler != null) {
				register(registry, GServerAutoConfiguration.SERVER_BEAN_NAME, StreamServer.class, "defaultServer", handler,
						handler);
			}
		}
		List<String> unclaimedDatagram = datagramHandlers.stream().filter(unclaimed::contains).toList();
		if (!userDatagramServer && !unclaimedDatagram.isEmpty()) {
			if (unclaimedDatagram.size() > 1) {
				throw new AmbiguousHandlersException(unclaimedDatagram);
			}
			String handler = unclaimedDatagram.get(0);
			register(registry, GServerAutoConfiguration.UDP_SERVER_BEAN_NAME, DatagramServer.class,
					"defaultDatagramServer", handler, handler);
		}
	}

	/** The default server's handler: {@code gserver.handler}, or the one unclaimed; {@code null} for none. */
	private static @Nullable String defaultHandler(Binder binder, List<String> streamHandlers, Set<String> unclaimed) {
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
		return binder.bind(SERVERS, Bindable.mapOf(String.class, Object.class)).map(Map::keySet).orElse(Set.of());
	}

	/** The bean name of the handler of server {@code name}: {@code named}, or by convention. */
	private static String handlerOf(String name, String prefix, @Nullable String named, List<String> handlers) {
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

	/** Registers {@code beanName} as {@code ServerFactory.<factoryMethod>(arguments)}. */
	private static void register(BeanDefinitionRegistry registry, String beanName, Class<?> type, String factoryMethod,
			String handler, String... arguments) {
		RootBeanDefinition definition = new RootBeanDefinition();
		definition.setTargetType(type);
		definition.setFactoryBeanName(ServerFactory.BEAN_NAME);
		definition.setFactoryMethodName(factoryMethod);
		for (int i = 0; i < arguments.length; i++) {
			definition.getConstructorArgumentValues().addIndexedArgumentValue(i, arguments[i]);
		}
		definition.setDependsOn(handler);
		definition.setDestroyMethodName(AbstractBeanDefinition.INFER_METHOD);
		registry.registerBeanDefinition(beanName, definition);
	}

}
