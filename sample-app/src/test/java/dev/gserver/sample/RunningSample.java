package dev.gserver.sample;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The sample application run by a test, on 127.0.0.1 with gserver and the HTTP server on free
 * ports, and closed after each test within a bound. Register it as a field:
 * {@code @RegisterExtension final RunningSample sample = new RunningSample();}.
 */
final class RunningSample implements AfterEachCallback {

	/** The loopback arguments every run gets; {@link #start} must not repeat them. */
	static final List<String> LOOPBACK = List.of("--gserver.address=127.0.0.1", "--gserver.port=0",
			"--gserver.servers.chat.port=0", "--server.port=0");

	/** What closing the applications after a test may take: more than any test's stop timeout. */
	private static final Duration CLOSE_BOUND = Duration.ofSeconds(30);

	private final List<ConfigurableApplicationContext> contexts = new CopyOnWriteArrayList<>();

	/**
	 * Runs the sample with the {@link #LOOPBACK} arguments and {@code arguments} as command-line
	 * arguments, so that they win over application.yml.
	 */
	ConfigurableApplicationContext start(String... arguments) {
		List<String> all = new ArrayList<>(LOOPBACK);
		all.addAll(List.of(arguments));
		ConfigurableApplicationContext context = new SpringApplicationBuilder(SampleApplication.class)
			.run(all.toArray(String[]::new));
		this.contexts.add(context);
		return context;
	}

	/** The port gserver listens on in {@code context}. */
	static int gserverPort(ConfigurableApplicationContext context) {
		return context.getEnvironment().getRequiredProperty("local.gserver.port", Integer.class);
	}

	@Override
	public void afterEach(ExtensionContext extensionContext) throws Exception {
		List<ConfigurableApplicationContext> toClose = new ArrayList<>(this.contexts);
		this.contexts.clear();
		if (toClose.isEmpty()) {
			return;
		}
		AtomicReference<Throwable> failure = new AtomicReference<>();
		// on a thread of its own, so that a close that hangs fails the test instead of hanging the build
		Thread closer = new Thread(() -> {
			for (ConfigurableApplicationContext context : toClose) {
				try {
					context.close();
				}
				catch (Throwable ex) {
					failure.compareAndSet(null, ex);
				}
			}
		}, "running-sample-close");
		closer.setDaemon(true);
		closer.start();
		closer.join(CLOSE_BOUND.toMillis());
		if (closer.isAlive()) {
			throw new AssertionError("Closing the sample after the test took more than " + CLOSE_BOUND);
		}
		if (failure.get() != null) {
			throw new AssertionError("Closing the sample after the test failed", failure.get());
		}
	}

}
