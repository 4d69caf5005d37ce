package dev.gserver.autoconfigure;

import org.springframework.context.ApplicationEvent;

import dev.gserver.BaseServer;

/** Published when a gserver server has started, so that its bound port is known. */
public class GServerStartedEvent extends ApplicationEvent {

	private static final long serialVersionUID = 1L;

	private final String name;

	public GServerStartedEvent(BaseServer<?, ?> server, String name) {
		super(server);
		this.name = name;
	}

	/** Returns the server that started. */
	public BaseServer<?, ?> getServer() {
		return (BaseServer<?, ?>) getSource();
	}

	/** Returns the server's bean name. */
	public String getName() {
		return this.name;
	}

}
