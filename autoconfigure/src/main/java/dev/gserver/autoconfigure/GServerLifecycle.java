package dev.gserver.autoconfigure;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.SmartLifecycle;

import dev.gserver.BaseServer;

/**
 * Starts every gserver server of the context once it is refreshed, and stops them when it
 * closes: all at once, each within its stop timeout, off the closing thread.
 */
public class GServerLifecycle implements SmartLifecycle {

	/** The phase of web servers' graceful shutdown: started late, stopped early. */
	public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 1024;

	private final Map<String, BaseServer<?, ?>> servers;

	private final Duration shutdownPhaseTimeout;

	private final ApplicationEventPublisher publisher;

	private volatile boolean running;

	/**
	 * @param servers the servers by bean name
	 * @param shutdownPhaseTimeout {@code spring.lifecycle.timeout-per-shutdown-phase}: no stop
	 * waits for handlers longer than this, less a second left for killing them
	 * @param publisher where to announce each started server
	 */
	public GServerLifecycle(Map<String, BaseServer<?, ?>> servers, Duration shutdownPhaseTimeout,
			ApplicationEventPublisher publisher) {
		this.servers = servers;
		this.shutdownPhaseTimeout = shutdownPhaseTimeout;
		this.publisher = publisher;
	}

	@Override
	public void start() {
		List<BaseServer<?, ?>> started = new ArrayList<>();
		this.servers.forEach((name, server) -> {
			try {
				server.start();
			}
			catch (IOException | RuntimeException ex) {
				// a failed refresh does not stop lifecycles: close what runs, or its accept thread keeps the JVM up
				started.forEach(BaseServer::close);
				throw new GServerStartException(name, ex);
			}
			started.add(server);
			this.publisher.publishEvent(new GServerStartedEvent(server, name));
		});
		this.running = true;
	}

	@Override
	public void stop() {
		joinAll(stopAll());
	}

	@Override
	public void stop(Runnable callback) {
		List<Thread> stopping = stopAll();
		new Thread(() -> {
			joinAll(stopping);
			callback.run();
		}, "gserver-shutdown").start();
	}

	private static void joinAll(List<Thread> threads) {
		for (Thread thread : threads) {
			try {
				thread.join();
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return;
			}
		}
	}

	/** Closes every listener now, then stops each server on a thread of its own. */
	private List<Thread> stopAll() {
		this.running = false;
		this.servers.values().forEach(BaseServer::close);
		List<Thread> stopping = new ArrayList<>();
		this.servers.forEach((name, server) -> {
			Duration timeout = stopTimeout(server);
			Thread thread = new Thread(() -> server.stop(timeout), "gserver-stop-" + name);
			thread.start();
			stopping.add(thread);
		});
		return stopping;
	}

	private Duration stopTimeout(BaseServer<?, ?> server) {
		Duration budget = this.shutdownPhaseTimeout.minusSeconds(1);
		if (budget.isNegative()) {
			budget = Duration.ZERO;
		}
		return (server.getStopTimeout().compareTo(budget) > 0) ? budget : server.getStopTimeout();
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	@Override
	public int getPhase() {
		return PHASE;
	}

}
