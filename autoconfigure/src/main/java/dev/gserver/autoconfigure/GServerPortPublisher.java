package dev.gserver.autoconfigure;

import java.util.HashMap;
import java.util.Map;

import org.springframework.context.ApplicationListener;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.MutablePropertySources;
import org.springframework.core.env.PropertySource;

import dev.gserver.DatagramServer;

/**
 * Publishes the bound port of each started server, as {@code local.server.port} is for the web
 * server: {@code local.gserver.<name>.port} for every server, {@code local.gserver.port} for the
 * auto-configured TCP server (or the only one), {@code local.gserver.udp.port} for the UDP one.
 */
public class GServerPortPublisher implements ApplicationListener<GServerStartedEvent> {

	/** The name of the property source holding the ports. */
	public static final String PROPERTY_SOURCE_NAME = "gserver.ports";

	private final ConfigurableEnvironment environment;

	private final boolean singleStream;

	private final boolean singleDatagram;

	/**
	 * @param environment where to publish
	 * @param singleStream whether the context has one TCP server only, so that it gets
	 * {@code local.gserver.port} whatever its name
	 * @param singleDatagram the same for UDP and {@code local.gserver.udp.port}
	 */
	public GServerPortPublisher(ConfigurableEnvironment environment, boolean singleStream, boolean singleDatagram) {
		this.environment = environment;
		this.singleStream = singleStream;
		this.singleDatagram = singleDatagram;
	}

	@Override
	public void onApplicationEvent(GServerStartedEvent event) {
		int port = event.getServer().getServerPort();
		Map<String, Object> ports = ports();
		ports.put("local.gserver." + event.getName() + ".port", port);
		if (event.getServer() instanceof DatagramServer) {
			if (this.singleDatagram || GServerAutoConfiguration.UDP_SERVER_BEAN_NAME.equals(event.getName())) {
				ports.put("local.gserver.udp.port", port);
			}
		}
		else if (this.singleStream || GServerAutoConfiguration.SERVER_BEAN_NAME.equals(event.getName())) {
			ports.put("local.gserver.port", port);
		}
	}

	@SuppressWarnings("unchecked")
	private Map<String, Object> ports() {
		MutablePropertySources sources = this.environment.getPropertySources();
		PropertySource<?> source = sources.get(PROPERTY_SOURCE_NAME);
		if (source == null) {
			source = new MapPropertySource(PROPERTY_SOURCE_NAME, new HashMap<>());
			sources.addFirst(source);
		}
		return (Map<String, Object>) source.getSource();
	}

}
