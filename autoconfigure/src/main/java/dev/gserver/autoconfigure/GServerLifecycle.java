package dev.gserver.autoconfigure;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.boot.web.server.context.WebServerGracefulShutdownLifecycle;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.SmartLifecycle;

import dev.gserver.BaseServer;

/**
 * Starts every gserver server of the context once it is refreshed, and stops them when it
 * closes: readiness turns to refusing traffic first, the listeners keep accepting for the
 * shutdown delay (so that load balancers stop sending before anyone is refused), then all
 * listeners close at once and each server waits for its handlers within its stop timeout, off
 * the closing thread. Readiness also refuses traffic while an operator has paused every server.
 */
public class GServerLifecycle implements SmartLifecycle {

	private static final Log logger = LogFactory.getLog(GServerLifecycle.class);

	/**
	 * A phase above the web server's graceful shutdown: gserver starts after the web server and
	 * stops before it drains (a higher phase stops sooner), so that Actuator still answers while
	 * gserver drains.
	 */
	public static final int PHASE = WebServerGracefulShutdownLifecycle.SMART_LIFECYCLE_PHASE + 512;

	private final Map<String, BaseServer<?, ?>> servers;

	private final ApplicationEventPublisher publisher;

	private final GServerReadiness readiness;

	private final Duration shutdownDelay;

	private volatile boolean running;

	/**
	 * Creates a life cycle without a shutdown delay.
	 * @param servers the servers by name, each stopped within its own stop timeout
	 * @param publisher where to announce each started server, and readiness
	 * @param availability the application's availability, or {@code null} when it has none
	 */
	public GServerLifecycle(Map<String, BaseServer<?, ?>> servers, ApplicationEventPublisher publisher,
			@Nullable ApplicationAvailability availability) {
		this(servers, publisher, availability, Duration.ZERO);
	}

	/**
	 * @param servers the servers by name, each stopped within its own stop timeout
	 * @param publisher where to announce each started server, and readiness
	 * @param availability the application's availability, or {@code null} when it has none
	 * @param shutdownDelay how long the listeners keep accepting once a stop has refused traffic
	 */
	public GServerLifecycle(Map<String, BaseServer<?, ?>> servers, ApplicationEventPublisher publisher,
			@Nullable ApplicationAvailability availability, Duration shutdownDelay) {
		this.servers = servers;
		this.publisher = publisher;
		this.readiness = new GServerReadiness(servers.values(), publisher, availability);
		this.shutdownDelay = shutdownDelay;
		servers.values().forEach((server) -> server.addEventListener(this.readiness));
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
		// stopped and started again (as a test framework does with cached contexts): ready again
		this.readiness.started();
	}

	@Override
	public void stop() {
		refuseTraffic();
		awaitShutdownDelay();
		joinAll(stopAll());
	}

	@Override
	public void stop(Runnable callback) {
		refuseTraffic();
		if (this.shutdownDelay.isZero()) {
			// the listeners close before the closing thread goes on
			List<Thread> stopping = stopAll();
			new Thread(() -> {
				joinAll(stopping);
				callback.run();
			}, "gserver-shutdown").start();
			return;
		}
		new Thread(() -> {
			awaitShutdownDelay();
			joinAll(stopAll());
			callback.run();
		}, "gserver-shutdown").start();
	}

	/**
	 * Web contexts turn readiness to refusing traffic as they start closing; a context without a
	 * web server does not, so gserver does before its listeners close.
	 */
	private void refuseTraffic() {
		this.running = false;
		this.readiness.stopping();
	}

	/**
	 * Lets the listeners accept and serve for the shutdown delay, so that load balancers see the
	 * refused readiness and stop sending before anyone is refused; an interrupt cuts it short.
	 */
	private void awaitShutdownDelay() {
		if (this.shutdownDelay.isZero()) {
			return;
		}
		logger.info("Shutdown delay: readiness refuses traffic, and " + this.servers.keySet() + " keep accepting for "
				+ this.shutdownDelay.toMillis() + " ms (gserver.shutdown-delay) before they close");
		try {
			Thread.sleep(this.shutdownDelay.toMillis());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
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
		this.servers.values().forEach(BaseServer::close);
		List<Thread> stopping = new ArrayList<>();
		this.servers.forEach((name, server) -> {
			Thread thread = new Thread(server::stop, "gserver-stop-" + name);
			thread.start();
			stopping.add(thread);
		});
		return stopping;
	}

	/** Returns how long the listeners keep accepting once a stop has refused traffic. */
	Duration getShutdownDelay() {
		return this.shutdownDelay;
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
