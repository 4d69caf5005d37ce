package dev.gserver.autoconfigure;

import java.util.HashMap;
import java.util.Map;

import org.springframework.context.ApplicationListener;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.MutablePropertySources;
import org.springframework.core.env.PropertySource;

/**
 * Publishes the bound port of each started server, as {@code local.server.port} is for the web
 * server: {@code local.gserver.<name>.port} for every server, and {@code local.gserver.port} for
 * the auto-configured one (or the only one).
 */
public class GServerPortPublisher implements ApplicationListener<GServerStartedEvent> {

	/** The name of the property source holding the ports. */
	public static final String PROPERTY_SOURCE_NAME = "gserver.ports";

	private final ConfigurableEnvironment environment;

	private final boolean single;

	/**
	 * @param environment where to publish
	 * @param single whether the context has one server only, so that it also gets {@code local.gserver.port}
	 */
	public GServerPortPublisher(ConfigurableEnvironment environment, boolean single) {
		this.environment = environment;
		this.single = single;
	}

	@Override
	public void onApplicationEvent(GServerStartedEvent event) {
		int port = event.getServer().getServerPort();
		Map<String, Object> ports = ports();
		ports.put("local.gserver." + event.getName() + ".port", port);
		if (this.single || GServerAutoConfiguration.SERVER_BEAN_NAME.equals(event.getName())) {
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
