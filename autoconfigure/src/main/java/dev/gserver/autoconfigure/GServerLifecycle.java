package dev.gserver.autoconfigure;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.boot.web.server.context.WebServerGracefulShutdownLifecycle;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.SmartLifecycle;

import dev.gserver.BaseServer;

/**
 * Starts every gserver server of the context once it is refreshed, and stops them when it
 * closes: readiness turns to refusing traffic first, then all listeners close at once and each
 * server waits for its handlers within its stop timeout, off the closing thread.
 */
public class GServerLifecycle implements SmartLifecycle {

	/**
	 * A phase above the web server's graceful shutdown: gserver starts after the web server and
	 * stops before it drains (a higher phase stops sooner), so that Actuator still answers while
	 * gserver drains.
	 */
	public static final int PHASE = WebServerGracefulShutdownLifecycle.SMART_LIFECYCLE_PHASE + 512;

	private final Map<String, BaseServer<?, ?>> servers;

	private final ApplicationEventPublisher publisher;

	private final ApplicationAvailability availability;

	private volatile boolean running;

	/** Whether this lifecycle turned readiness to refusing traffic, so that a start again turns it back. */
	private volatile boolean refusedTraffic;

	/**
	 * @param servers the servers by name, each stopped within its own stop timeout
	 * @param publisher where to announce each started server, and readiness
	 * @param availability the application's availability, or {@code null} when it has none
	 */
	public GServerLifecycle(Map<String, BaseServer<?, ?>> servers, ApplicationEventPublisher publisher,
			ApplicationAvailability availability) {
		this.servers = servers;
		this.publisher = publisher;
		this.availability = availability;
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
		if (this.refusedTraffic) {
			// stopped and started again (as a test framework does with cached contexts): ready again
			this.refusedTraffic = false;
			AvailabilityChangeEvent.publish(this.publisher, this, ReadinessState.ACCEPTING_TRAFFIC);
		}
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

	/** Refuses traffic, closes every listener now, then stops each server on a thread of its own. */
	private List<Thread> stopAll() {
		this.running = false;
		refuseTraffic();
		this.servers.values().forEach(BaseServer::close);
		List<Thread> stopping = new ArrayList<>();
		this.servers.forEach((name, server) -> {
			Thread thread = new Thread(server::stop, "gserver-stop-" + name);
			thread.start();
			stopping.add(thread);
		});
		return stopping;
	}

	/**
	 * Web contexts turn readiness to refusing traffic as they start closing; a context without a
	 * web server does not, so gserver does before its listeners close.
	 */
	private void refuseTraffic() {
		if (this.availability == null || this.availability.getReadinessState() != ReadinessState.REFUSING_TRAFFIC) {
			AvailabilityChangeEvent.publish(this.publisher, this, ReadinessState.REFUSING_TRAFFIC);
			this.refusedTraffic = true;
		}
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
