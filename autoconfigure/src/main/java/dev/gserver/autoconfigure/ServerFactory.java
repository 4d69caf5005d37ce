package dev.gserver.autoconfigure;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.Executor;

import org.springframework.beans.factory.BeanFactory;
import org.springframework.boot.context.properties.PropertyMapper;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.bind.handler.IgnoreTopLevelConverterNotFoundBindHandler;
import org.springframework.boot.context.properties.bind.validation.ValidationBindHandler;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.core.env.Environment;
import org.springframework.util.StringUtils;
import org.springframework.util.unit.DataSize;

import dev.gserver.Addresses;
import dev.gserver.BaseServer;
import dev.gserver.DatagramHandler;
import dev.gserver.DatagramServer;
import dev.gserver.Handler;
import dev.gserver.Pool;
import dev.gserver.Spawn;
import dev.gserver.StreamServer;
import dev.gserver.proxy.ProxyProtocol;

/**
 * Makes gserver's servers from their properties, as the registered server beans are created: a
 * {@link StreamServer} from the {@link StreamServerProperties} of the default server
 * ({@code gserver.*}) or of a further one ({@code gserver.servers.<name>.*}, bound over
 * {@code gserver.*}), and a {@link DatagramServer} for a UDP handler. {@link ServerRegistrar}
 * registers each server as a call of one of its methods with the server's and the handler's
 * names, so that the bean definitions hold plain values (as ahead-of-time processing needs) and
 * the properties are read when the application runs.
 */
final class ServerFactory {

	/** The bean name of the factory, which the server beans name as their factory bean. */
	static final String BEAN_NAME = "gserverServerFactory";

	/** Spring Boot's switch for virtual threads; see {@link #applyThreads(BaseServer)}. */
	static final String VIRTUAL_THREADS_PROPERTY = "spring.threads.virtual.enabled";

	private final BeanFactory beanFactory;

	private final Environment environment;

	ServerFactory(BeanFactory beanFactory, Environment environment) {
		this.beanFactory = beanFactory;
		this.environment = environment;
	}

	/** The default server, {@code gserver.*}, running the Handler bean {@code handler}. */
	StreamServer defaultServer(String handler) throws IOException {
		StreamServer server = stream("gserver", this.beanFactory.getBean(GServerProperties.class),
				this.beanFactory.getBean(handler, Handler.class));
		server.setName(GServerAutoConfiguration.SERVER_BEAN_NAME);
		return server;
	}

	/** The TCP server {@code gserver.servers.<name>}, running the Handler bean {@code handler}. */
	StreamServer namedServer(String name, String handler) throws IOException {
		String prefix = ServerRegistrar.SERVERS + "." + name;
		StreamServer server = stream(prefix, inherit(prefix), this.beanFactory.getBean(handler, Handler.class));
		server.setName(name);
		return server;
	}

	/** The default UDP server, {@code gserver.udp.*}, running the DatagramHandler bean {@code handler}. */
	DatagramServer defaultDatagramServer(String handler) {
		GServerProperties properties = this.beanFactory.getBean(GServerProperties.class);
		GServerProperties.Udp udp = properties.getUdp();
		InetSocketAddress address = (udp.getAddress() != null) ? new InetSocketAddress(udp.getAddress(), udp.getPort())
				: new InetSocketAddress(udp.getPort());
		DatagramServer server = new DatagramServer(address, this.beanFactory.getBean(handler, DatagramHandler.class),
				udp.getSpawn());
		server.setBufferSize(udp.getBufferSize());
		applyAcceptLoop(properties, server);
		applyThreads(server);
		server.setName(GServerAutoConfiguration.UDP_SERVER_BEAN_NAME);
		return server;
	}

	/**
	 * The UDP server {@code gserver.servers.<name>}: its address, port, spawn and accept loop; the
	 * TCP-only properties do not apply, and datagrams are read into {@code gserver.udp.buffer-size}.
	 */
	DatagramServer namedDatagramServer(String name, String handler) {
		String prefix = ServerRegistrar.SERVERS + "." + name;
		StreamServerProperties properties = inherit(prefix);
		DatagramServer server = new DatagramServer(listenAddress(properties),
				this.beanFactory.getBean(handler, DatagramHandler.class), spawn(prefix, properties));
		server.setBufferSize(this.beanFactory.getBean(GServerProperties.class).getUdp().getBufferSize());
		applyAcceptLoop(properties, server);
		applyThreads(server);
		server.setName(name);
		return server;
	}

	/**
	 * Binds {@code gserver.*}, then {@code prefix.*} over it: a property the server does not set
	 * keeps the value of {@code gserver.*}, but for the handler, which is the default server's own,
	 * and {@code spawn} and {@code spawn-bean}, one choice: a server that makes it inherits neither.
	 * Checked as a whole, as the default server's are.
	 */
	private StreamServerProperties inherit(String prefix) {
		Binder binder = GServerConverters.binder(this.environment);
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

	/**
	 * @param prefix the properties' prefix, to name a property in an error
	 * @param properties what the server runs with
	 * @param handler what serves each connection
	 */
	private StreamServer stream(String prefix, StreamServerProperties properties, Handler handler) throws IOException {
		Spawn spawn = spawn(prefix, properties);
		boolean inherited = properties.getListener() == StreamServerProperties.Listener.INHERITED;
		StreamServer server = inherited ? StreamServer.inherited(handler, spawn)
				: new StreamServer(listenAddress(properties), handler, spawn);
		applyAcceptLoop(properties, server);
		applyThreads(server);
		PropertyMapper map = PropertyMapper.get();
		// an inherited listener was bound and given its backlog by whoever opened it
		map.from(properties::getBacklog).when((backlog) -> !inherited).to(server::setBacklog);
		map.from(properties::isReuseAddress).to(server::setReuseAddress);
		map.from(properties::isReusePort).to(server::setReusePort);
		map.from(properties::getMaxConnections).to(server::setMaxConnections);
		map.from(properties::getMaxConnectionsPerAddress).to(server::setMaxConnectionsPerAddress);
		map.from(properties::isTcpNoDelay).to(server::setTcpNoDelay);
		map.from(properties::isDropWhenFull).to(server::setDropWhenFull);
		map.from(properties::getIdleTimeout).to(server::setIdleTimeout);
		map.from(properties::getWriteTimeout).to(server::setWriteTimeout);
		map.from(properties::getFrameTimeout).to(server::setFrameTimeout);
		map.from(properties::getInputBudget).as(DataSize::toBytes).to(server.getInputBudget()::setLimit);
		StreamServerProperties.ProxyProtocol proxy = properties.getProxyProtocol();
		server.setProxyProtocol(ProxyProtocol.of(proxy.getMode()).withTrusted(proxy.getTrusted()).withTimeout(proxy.getTimeout()));
		// an empty value ('bundle:' in YAML) turns TLS off, as a server under gserver.servers may need
		if (StringUtils.hasText(properties.getSsl().getBundle())) {
			GServerSsl.apply(server, properties.getSsl(), this.beanFactory.getBean(SslBundles.class));
		}
		return server;
	}

	/** The settings every server's accept loop shares, TCP or UDP. */
	private static void applyAcceptLoop(StreamServerProperties properties, BaseServer<?, ?> server) {
		PropertyMapper map = PropertyMapper.get();
		map.from(properties::getMaxAccept).to(server::setMaxAccept);
		map.from(properties::getMinDelay).to(server::setMinDelay);
		map.from(properties::getMaxDelay).to(server::setMaxDelay);
		map.from(properties::getStopTimeout).to(server::setStopTimeout);
	}

	/**
	 * Handlers run on virtual threads on Java 21+ unless the application turned them off with an
	 * explicit {@code spring.threads.virtual.enabled=false}. Unset, the property means Spring
	 * Boot's own executors stay on platform threads (its default); gserver, whose handlers block a
	 * thread per connection, stays on virtual ones then.
	 */
	private void applyThreads(BaseServer<?, ?> server) {
		Boolean virtual = this.environment.getProperty(VIRTUAL_THREADS_PROPERTY, Boolean.class);
		server.setVirtualThreads(!Boolean.FALSE.equals(virtual));
	}

	/** Returns the address to listen on, from the address and port properties. */
	private static SocketAddress listenAddress(StreamServerProperties properties) {
		String address = properties.getAddress();
		if (address == null || address.isBlank()) {
			return new InetSocketAddress(properties.getPort());
		}
		if (Addresses.isUnixSocket(address)) {
			return Addresses.parse(address);
		}
		return new InetSocketAddress(address.trim(), properties.getPort());
	}

	private Spawn spawn(String prefix, StreamServerProperties properties) {
		String beanName = properties.getSpawnBean();
		if (beanName == null) {
			return properties.getSpawn();
		}
		Object bean = this.beanFactory.getBean(beanName);
		if (bean instanceof Pool pool) {
			return Spawn.of(pool);
		}
		if (bean instanceof Executor executor) {
			return Spawn.of(executor);
		}
		throw new InvalidConfigurationPropertyValueException(prefix + ".spawn-bean", beanName,
				"bean '" + beanName + "' is a " + bean.getClass().getName()
						+ ", neither a dev.gserver.Pool nor a java.util.concurrent.Executor");
	}

}
