package dev.gserver.autoconfigure;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executor;

import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.PropertyMapper;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.Environment;

import dev.gserver.Addresses;
import dev.gserver.BaseServer;
import dev.gserver.DatagramHandler;
import dev.gserver.DatagramServer;
import dev.gserver.Handler;
import dev.gserver.Pool;
import dev.gserver.Spawn;
import dev.gserver.StreamServer;
import dev.gserver.proxy.CidrRange;
import dev.gserver.proxy.ProxyProtocol;

/**
 * Auto-configuration of a gserver {@link StreamServer} for a {@link Handler} bean, and of the
 * life cycle of every gserver server of the context (the auto-configured one or the user's own).
 */
@AutoConfiguration(afterName = "org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration")
@ConditionalOnBooleanProperty(name = "gserver.enabled", matchIfMissing = true)
@EnableConfigurationProperties(GServerProperties.class)
public final class GServerAutoConfiguration {

	/** The bean name of the auto-configured server; also its {@code name} tag on metrics. */
	public static final String SERVER_BEAN_NAME = "gserver";

	/** The bean name of the auto-configured UDP server. */
	public static final String UDP_SERVER_BEAN_NAME = "gserverUdp";

	@Bean
	@ConditionalOnMissingBean
	GServerLifecycle gserverLifecycle(ListableBeanFactory beanFactory, GServerProperties properties,
			Environment environment, ApplicationEventPublisher publisher, ConfigurableApplicationContext context,
			ObjectProvider<ApplicationAvailability> availability) {
		Map<String, BaseServer<?, ?>> servers = ServerBeans.find(beanFactory);
		servers.forEach((name, server) -> {
			server.setName(name);
			if (properties.isShutdownOnFatalError()) {
				server.addEventListener(new FatalErrorShutdown(server, context));
			}
		});
		Duration phaseTimeout = Binder.get(environment)
			.bind("spring.lifecycle.timeout-per-shutdown-phase", Duration.class)
			.orElse(Duration.ofSeconds(30));
		return new GServerLifecycle(servers, phaseTimeout, publisher, availability.getIfAvailable());
	}

	@Bean
	@ConditionalOnMissingBean
	GServerPortPublisher gserverPortPublisher(ConfigurableEnvironment environment, ListableBeanFactory beanFactory) {
		return new GServerPortPublisher(environment, beanFactory.getBeanNamesForType(StreamServer.class).length == 1,
				beanFactory.getBeanNamesForType(DatagramServer.class).length == 1);
	}

	/** The settings every server's accept loop shares, TCP or UDP. */
	static void applyAcceptLoop(GServerProperties properties, BaseServer<?, ?> server) {
		PropertyMapper map = PropertyMapper.get();
		map.from(properties::getMaxAccept).to(server::setMaxAccept);
		map.from(properties::getMinDelay).to(server::setMinDelay);
		map.from(properties::getMaxDelay).to(server::setMaxDelay);
		map.from(properties::getStopTimeout).to(server::setStopTimeout);
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnBean(DatagramHandler.class)
	@ConditionalOnMissingBean(DatagramServer.class)
	static class DatagramServerConfiguration {

		@Bean(UDP_SERVER_BEAN_NAME)
		DatagramServer gserverUdp(DatagramHandler handler, GServerProperties properties) {
			GServerProperties.Udp udp = properties.getUdp();
			InetSocketAddress address = (udp.getAddress() != null) ? new InetSocketAddress(udp.getAddress(), udp.getPort())
					: new InetSocketAddress(udp.getPort());
			DatagramServer server = new DatagramServer(address, handler, Spawn.parse(udp.getSpawn()));
			server.setBufferSize(udp.getBufferSize());
			applyAcceptLoop(properties, server);
			return server;
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnBean(Handler.class)
	@ConditionalOnMissingBean(StreamServer.class)
	static class StreamServerConfiguration {

		@Bean(SERVER_BEAN_NAME)
		StreamServer gserver(Handler handler, GServerProperties properties, BeanFactory beanFactory,
				ObjectProvider<SslBundles> sslBundles, ObjectProvider<GServerCustomizer> customizers)
				throws java.io.IOException {
			Spawn spawn = spawn(properties, beanFactory);
			StreamServer server = (properties.getListener() == GServerProperties.Listener.INHERITED)
					? StreamServer.inherited(handler, spawn)
					: new StreamServer(listenAddress(properties), handler, spawn);
			applyAcceptLoop(properties, server);
			PropertyMapper map = PropertyMapper.get();
			// an inherited listener was bound and given its backlog by whoever opened it
			map.from(properties::getBacklog)
				.when((backlog) -> properties.getListener() != GServerProperties.Listener.INHERITED)
				.to(server::setBacklog);
			map.from(properties::isReuseAddress).to(server::setReuseAddress);
			map.from(properties::isReusePort).to(server::setReusePort);
			map.from(properties::getMaxConnections).to(server::setMaxConnections);
			map.from(properties::isTcpNoDelay).to(server::setTcpNoDelay);
			map.from(properties::isDropWhenFull).to(server::setDropWhenFull);
			map.from(properties::getIdleTimeout).to(server::setIdleTimeout);
			map.from(properties::getWriteTimeout).to(server::setWriteTimeout);
			map.from(properties::getFrameTimeout).to(server::setFrameTimeout);
			server.setProxyProtocol(ProxyProtocol.of(properties.getProxyProtocol())
				.withTrusted(properties.getProxyProtocolTrusted().stream().map(CidrRange::parse).toList())
				.withTimeout(properties.getProxyProtocolTimeout()));
			if (properties.getSsl().getBundle() != null) {
				GServerSsl.apply(server, properties.getSsl(), sslBundles.getObject());
			}
			customizers.orderedStream().forEach((customizer) -> customizer.customize(server));
			return server;
		}

		/** Returns the address to listen on, from gserver.address and gserver.port. */
		private static SocketAddress listenAddress(GServerProperties properties) {
			String address = properties.getAddress();
			if (address == null || address.isBlank()) {
				return new InetSocketAddress(properties.getPort());
			}
			if (Addresses.isUnixSocket(address)) {
				return Addresses.parse(address);
			}
			return new InetSocketAddress(address.trim(), properties.getPort());
		}

		private static Spawn spawn(GServerProperties properties, BeanFactory beanFactory) {
			String beanName = properties.getSpawnBean();
			if (beanName == null) {
				return Spawn.parse(properties.getSpawn());
			}
			if (!"default".equals(properties.getSpawn())) {
				throw new IllegalStateException("Set only one of gserver.spawn ('" + properties.getSpawn()
						+ "') and gserver.spawn-bean ('" + beanName + "')");
			}
			Object bean = beanFactory.getBean(beanName);
			if (bean instanceof Pool) {
				return Spawn.of((Pool) bean);
			}
			if (bean instanceof Executor) {
				return Spawn.of((Executor) bean);
			}
			throw new IllegalStateException("gserver.spawn-bean '" + beanName + "' is a " + bean.getClass().getName()
					+ ", neither a dev.gserver.Pool nor a java.util.concurrent.Executor");
		}

	}

}
