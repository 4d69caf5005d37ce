package dev.gserver.autoconfigure;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.Executor;

import org.springframework.beans.factory.BeanFactory;
import org.springframework.boot.context.properties.PropertyMapper;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.core.env.Environment;
import org.springframework.util.StringUtils;

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
 * Makes gserver's servers from their properties: a {@link StreamServer} from the
 * {@link StreamServerProperties} of the default server ({@code gserver.*}) or of a further one
 * ({@code gserver.servers.<name>.*}), and a {@link DatagramServer} for a UDP handler.
 */
final class ServerFactory {

	/** Spring Boot's switch for virtual threads; see {@link #applyThreads(BaseServer)}. */
	static final String VIRTUAL_THREADS_PROPERTY = "spring.threads.virtual.enabled";

	private final BeanFactory beanFactory;

	ServerFactory(BeanFactory beanFactory) {
		this.beanFactory = beanFactory;
	}

	/**
	 * @param prefix the properties' prefix, to name a property in an error
	 * @param properties what the server runs with
	 * @param handler what serves each connection
	 */
	StreamServer stream(String prefix, StreamServerProperties properties, Handler handler) throws IOException {
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
		map.from(properties::isTcpNoDelay).to(server::setTcpNoDelay);
		map.from(properties::isDropWhenFull).to(server::setDropWhenFull);
		map.from(properties::getIdleTimeout).to(server::setIdleTimeout);
		map.from(properties::getWriteTimeout).to(server::setWriteTimeout);
		map.from(properties::getFrameTimeout).to(server::setFrameTimeout);
		StreamServerProperties.ProxyProtocol proxy = properties.getProxyProtocol();
		server.setProxyProtocol(ProxyProtocol.of(proxy.getMode()).withTrusted(proxy.getTrusted()).withTimeout(proxy.getTimeout()));
		// an empty value ('bundle:' in YAML) turns TLS off, as a server under gserver.servers may need
		if (StringUtils.hasText(properties.getSsl().getBundle())) {
			GServerSsl.apply(server, properties.getSsl(), this.beanFactory.getBean(SslBundles.class));
		}
		return server;
	}

	/** The default UDP server, from {@code gserver.udp.*} and the accept loop's {@code gserver.*}. */
	DatagramServer datagram(GServerProperties properties, DatagramHandler handler) {
		GServerProperties.Udp udp = properties.getUdp();
		InetSocketAddress address = (udp.getAddress() != null) ? new InetSocketAddress(udp.getAddress(), udp.getPort())
				: new InetSocketAddress(udp.getPort());
		DatagramServer server = new DatagramServer(address, handler, udp.getSpawn());
		server.setBufferSize(udp.getBufferSize());
		applyAcceptLoop(properties, server);
		applyThreads(server);
		return server;
	}

	/**
	 * A UDP server under {@code gserver.servers.<name>}: its address, port, spawn and accept loop;
	 * the TCP-only properties do not apply, and datagrams are read into {@code gserver.udp.buffer-size}.
	 */
	DatagramServer datagram(String prefix, StreamServerProperties properties, DatagramHandler handler) {
		DatagramServer server = new DatagramServer(listenAddress(properties), handler, spawn(prefix, properties));
		server.setBufferSize(this.beanFactory.getBean(GServerProperties.class).getUdp().getBufferSize());
		applyAcceptLoop(properties, server);
		applyThreads(server);
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
		Boolean virtual = this.beanFactory.getBean(Environment.class).getProperty(VIRTUAL_THREADS_PROPERTY, Boolean.class);
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
