package dev.gserver.autoconfigure;

import java.util.LinkedHashMap;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;

import dev.gserver.BaseServer;

/**
 * The {@code gserver} endpoint: every server's state, address, spawn, pool and counters, and a
 * drain switch. {@code POST /actuator/gserver/{name}} with {@code {"accepting": false}} pauses
 * accepting (new clients wait in the backlog, running ones go on); {@code true} resumes.
 */
@Endpoint(id = "gserver")
public class GServerEndpoint {

	private final ListableBeanFactory beanFactory;

	public GServerEndpoint(ListableBeanFactory beanFactory) {
		this.beanFactory = beanFactory;
	}

	@ReadOperation
	public Servers servers() {
		Map<String, ServerDescriptor> servers = new LinkedHashMap<>();
		ServerBeans.find(this.beanFactory).forEach((name, server) -> servers.put(name, ServerDescriptor.of(name, server)));
		return new Servers(servers);
	}

	@ReadOperation
	public @Nullable ServerDescriptor server(@Selector String name) {
		BaseServer<?, ?> server = ServerBeans.find(this.beanFactory).get(name);
		return (server != null) ? ServerDescriptor.of(name, server) : null;
	}

	@WriteOperation
	public @Nullable ServerDescriptor accepting(@Selector String name, boolean accepting) {
		BaseServer<?, ?> server = ServerBeans.find(this.beanFactory).get(name);
		if (server == null) {
			return null;
		}
		if (accepting) {
			server.startAccepting();
		}
		else {
			server.stopAccepting();
		}
		return ServerDescriptor.of(name, server);
	}

	/** @param servers every server, by bean name */
	public record Servers(Map<String, ServerDescriptor> servers) {
	}

}
