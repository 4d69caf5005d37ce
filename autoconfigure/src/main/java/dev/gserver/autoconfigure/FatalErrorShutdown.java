package dev.gserver.autoconfigure;

import org.springframework.context.ConfigurableApplicationContext;

import dev.gserver.BaseServer;
import dev.gserver.ServerEventListener;

/** Closes the application context when a server closes on a fatal error ({@code gserver.shutdown-on-fatal-error}). */
class FatalErrorShutdown implements ServerEventListener {

	private final BaseServer<?, ?> server;

	private final ConfigurableApplicationContext context;

	FatalErrorShutdown(BaseServer<?, ?> server, ConfigurableApplicationContext context) {
		this.server = server;
		this.context = context;
	}

	@Override
	public void closed() {
		if (this.server.getFatalError() != null) {
			// not on the accept thread: closing the context stops this very server
			new Thread(this.context::close, "gserver-fatal-shutdown").start();
		}
	}

}
