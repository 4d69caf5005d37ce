package dev.gserver.autoconfigure;

import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.beans.factory.ListableBeanFactory;

import dev.gserver.BaseServer;

/** The gserver servers of a context, by bean name: the auto-configured one and the user's own. */
final class ServerBeans {

	private ServerBeans() {
	}

	@SuppressWarnings({ "rawtypes", "unchecked" })
	static Map<String, BaseServer<?, ?>> find(ListableBeanFactory beanFactory) {
		Map<String, BaseServer<?, ?>> servers = new LinkedHashMap<>();
		Map<String, BaseServer> beans = beanFactory.getBeansOfType(BaseServer.class);
		beans.forEach((name, server) -> servers.put(name, server));
		return servers;
	}

}
