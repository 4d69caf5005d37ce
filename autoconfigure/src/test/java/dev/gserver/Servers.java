package dev.gserver;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The servers a test started, stopped after each test within a bound. Register it as a field:
 * <pre>
 * &#64;RegisterExtension
 * final Servers servers = new Servers();
 * </pre>
 * and hand it each server: {@link #start} starts one, {@link #track} only remembers it. After the
 * test, everything handed over is cleaned up in reverse order (last first), so that a client
 * connected after its server started is closed before that server stops (its handler ends at end
 * of input instead of being killed), and a listener bound before its server is closed after it.
 * The whole clean-up must end within a bound ({@link #cleaningUpWithin}) plus the stop timeouts;
 * if it does not, or if a stop or close throws, the test fails.
 */
public final class Servers implements AfterEachCallback {

	private final Deque<CleanUp> cleanUps = new ArrayDeque<>();

	private final List<ServerEventListener> listeners = new ArrayList<>();

	private Duration stopTimeout = Duration.ZERO;

	/** What the clean-up may take on top of the stop timeouts (a stop kills after its timeout, then waits up to a second more). */
	private Duration bound = Duration.ofSeconds(20);

	/**
	 * Adds {@code listener} to every server handed over from now on, before it starts.
	 * @return this
	 */
	public Servers reportingTo(ServerEventListener listener) {
		this.listeners.add(listener);
		return this;
	}

	/**
	 * Sets how long each server's stop waits for its handlers before it kills them; zero (kill at
	 * once) by default.
	 * @return this
	 */
	public Servers stoppingWithin(Duration timeout) {
		this.stopTimeout = timeout;
		return this;
	}

	/**
	 * Sets what the clean-up after a test may take, on top of the stop timeouts; 20 s by default.
	 * @return this
	 */
	public Servers cleaningUpWithin(Duration bound) {
		this.bound = bound;
		return this;
	}

	/** Remembers {@code server}, to stop it after the test, and adds the listeners to it. */
	public synchronized <S extends BaseServer<?, ?>> S track(S server) {
		this.listeners.forEach(server::addEventListener);
		this.cleanUps.push(new CleanUp("stop " + server, () -> server.stop(this.stopTimeout)));
		return server;
	}

	/** {@link #track Tracks} {@code server} and starts it. */
	public <S extends BaseServer<?, ?>> S start(S server) throws IOException {
		track(server).start();
		return server;
	}

	/** Remembers {@code resource} (a client, a listener), to close it after the test. */
	public synchronized <C extends AutoCloseable> C autoClose(C resource) {
		this.cleanUps.push(new CleanUp("close " + resource, resource::close));
		return resource;
	}

	@Override
	public void afterEach(ExtensionContext context) throws Exception {
		List<CleanUp> toRun;
		synchronized (this) {
			toRun = new ArrayList<>(this.cleanUps);
			this.cleanUps.clear();
		}
		if (toRun.isEmpty()) {
			return;
		}
		AtomicReference<String> current = new AtomicReference<>();
		List<Throwable> failures = new ArrayList<>();
		// on a thread of its own, so that a stop that hangs fails the test instead of hanging the build
		Thread cleaner = new Thread(() -> {
			for (CleanUp cleanUp : toRun) {
				current.set(cleanUp.description);
				try {
					cleanUp.action.run();
				}
				catch (Throwable ex) {
					synchronized (failures) {
						failures.add(ex);
					}
				}
			}
			current.set(null);
		}, "servers-clean-up");
		cleaner.setDaemon(true);
		cleaner.start();
		Duration bound = this.bound.plus(this.stopTimeout.multipliedBy(toRun.size()));
		cleaner.join(bound.toMillis());
		if (cleaner.isAlive()) {
			throw new AssertionError("Cleaning up after the test took more than " + bound + "; still at: " + current.get());
		}
		synchronized (failures) {
			if (!failures.isEmpty()) {
				AssertionError error = new AssertionError("Cleaning up after the test failed", failures.get(0));
				failures.subList(1, failures.size()).forEach(error::addSuppressed);
				throw error;
			}
		}
	}

	private record CleanUp(String description, Action action) {
	}

	@FunctionalInterface
	private interface Action {

		void run() throws Exception;

	}

}
