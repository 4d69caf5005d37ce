package dev.gserver.autoconfigure;

import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.beans.factory.ListableBeanFactory;

import dev.gserver.BaseServer;

/** The gserver servers of a context by name: gserver's own and the application's. */
final class ServerBeans {

	private ServerBeans() {
	}

	/**
	 * Returns every server bean by its name (its bean name unless gserver named it).
	 * @throws IllegalStateException when two servers have one name, which metrics and the
	 * endpoint could not tell apart
	 */
	@SuppressWarnings("rawtypes")
	static Map<String, BaseServer<?, ?>> find(ListableBeanFactory beanFactory) {
		Map<String, BaseServer<?, ?>> servers = new LinkedHashMap<>();
		Map<String, BaseServer> beans = beanFactory.getBeansOfType(BaseServer.class);
		beans.forEach((beanName, server) -> {
			BaseServer<?, ?> other = servers.putIfAbsent(server.getName(), server);
			if (other != null) {
				throw new IllegalStateException("Two gserver servers are named '" + server.getName() + "' (one is bean '"
						+ beanName + "'): give each its own name with setName");
			}
		});
		return servers;
	}

}
