package dev.gserver.autoconfigure;

import java.net.Socket;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.availability.ApplicationAvailabilityAutoConfiguration;
import org.springframework.boot.autoconfigure.context.LifecycleAutoConfiguration;
import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;

import dev.gserver.Clients;
import dev.gserver.Handler;
import dev.gserver.ServerEventListener;
import dev.gserver.StreamServer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** How the context's life cycle drives the servers: shutdown budgets and fatal errors. */
@Timeout(60)
class GServerLifecycleTest {

	private final ApplicationContextRunner runner = Runners.onLoopback(GServerAutoConfiguration.class);

	@Test
	void shutdownWaitsForRunningHandlersWithinTheStopTimeout() throws Exception {
		CountDownLatch handling = new CountDownLatch(1);
		CountDownLatch release = new CountDownLatch(1);
		Outcomes outcomes = new Outcomes();
		Handler slow = (connection) -> {
			handling.countDown();
			release.await();
			connection.getOutputStream().write('!');
		};
		this.runner.withBean(Handler.class, () -> slow)
			.withBean("outcomes", GServerCustomizer.class, () -> (server) -> server.addEventListener(outcomes))
			.withPropertyValues("gserver.stop-timeout=30s")
			.run((context) -> {
				int port = context.getBean(StreamServer.class).getServerPort();
				try (Socket client = Clients.connect(port)) {
					assertThat(handling.await(10, TimeUnit.SECONDS)).isTrue();
					Thread closing = new Thread(context::close);
					closing.start();
					await().atMost(Duration.ofSeconds(10)).until(() -> Clients.isRefused(port));
					assertThat(closing.isAlive()).isTrue();
					release.countDown();
					assertThat(client.getInputStream().read()).isEqualTo('!');
					closing.join(10_000);
					assertThat(closing.isAlive()).isFalse();
				}
			});
		assertThat(outcomes.list).containsExactly(ServerEventListener.HandlerOutcome.SUCCESS);
	}

	@Test
	void readinessRefusesTrafficBeforeTheListenerCloses() {
		List<String> seen = new CopyOnWriteArrayList<>();
		this.runner.withConfiguration(AutoConfigurations.of(ApplicationAvailabilityAutoConfiguration.class))
			.withBean(Handler.class, () -> (connection) -> {
			})
			.run((context) -> {
				StreamServer server = context.getBean(StreamServer.class);
				ApplicationAvailability availability = context.getBean(ApplicationAvailability.class);
				AvailabilityChangeEvent.publish(context, ReadinessState.ACCEPTING_TRAFFIC);
				context.addApplicationListener((ApplicationListener<AvailabilityChangeEvent<?>>) (event) -> seen
					.add(event.getState() + (server.isClosed() ? " after" : " before") + " the listener closed"));
				context.close();
				assertThat(availability.getReadinessState()).isEqualTo(ReadinessState.REFUSING_TRAFFIC);
			});
		assertThat(seen).containsExactly("REFUSING_TRAFFIC before the listener closed");
	}

	@Test
	void aLifecycleStoppedAndStartedAgainIsReadyAgain() {
		this.runner.withConfiguration(AutoConfigurations.of(ApplicationAvailabilityAutoConfiguration.class))
			.withBean(Handler.class, () -> (connection) -> {
			})
			.run((context) -> {
				ApplicationAvailability availability = context.getBean(ApplicationAvailability.class);
				AvailabilityChangeEvent.publish(context, ReadinessState.ACCEPTING_TRAFFIC);
				context.stop();
				assertThat(availability.getReadinessState()).isEqualTo(ReadinessState.REFUSING_TRAFFIC);
				context.start();
				assertThat(availability.getReadinessState()).isEqualTo(ReadinessState.ACCEPTING_TRAFFIC);
				assertThat(context.getBean(StreamServer.class).isStarted()).isTrue();
			});
	}

	@Test
	void timeoutPerShutdownPhaseBoundsTheStopTimeout() throws Exception {
		CountDownLatch handling = new CountDownLatch(1);
		Outcomes outcomes = new Outcomes();
		Handler stuck = (connection) -> {
			handling.countDown();
			new CountDownLatch(1).await();
		};
		long[] closeNanos = new long[1];
		this.runner.withConfiguration(AutoConfigurations.of(LifecycleAutoConfiguration.class))
			.withBean(Handler.class, () -> stuck)
			.withBean("outcomes", GServerCustomizer.class, () -> (server) -> server.addEventListener(outcomes))
			.withPropertyValues("gserver.stop-timeout=60s", "spring.lifecycle.timeout-per-shutdown-phase=2s")
			.run((context) -> {
				try (Socket client = Clients.connect(context.getBean(StreamServer.class).getServerPort())) {
					assertThat(handling.await(10, TimeUnit.SECONDS)).isTrue();
					long start = System.nanoTime();
					context.close();
					closeNanos[0] = System.nanoTime() - start;
				}
			});
		// the 60 s stop timeout gave way to the 2 s phase: the handler was killed, not waited for
		assertThat(outcomes.list).containsExactly(ServerEventListener.HandlerOutcome.KILLED);
		assertThat(Duration.ofNanos(closeNanos[0])).isLessThan(Duration.ofSeconds(30));
	}

	@Test
	void fatalAcceptErrorLeavesTheApplicationUpByDefault() {
		this.runner.withUserConfiguration(FailingServerConfiguration.class).run((context) -> {
			StreamServer server = context.getBean(StreamServer.class);
			Clients.poke(server.getServerPort());
			await().atMost(Duration.ofSeconds(10)).until(server::isClosed);
			assertThat(server.getFatalError()).isInstanceOf(ClosedChannelException.class);
			assertThat(context.isActive()).isTrue();
		});
	}

	@Test
	void fatalAcceptErrorClosesTheApplicationWhenAskedTo() {
		this.runner.withUserConfiguration(FailingServerConfiguration.class)
			.withPropertyValues("gserver.shutdown-on-fatal-error=true")
			.run((context) -> {
				StreamServer server = context.getBean(StreamServer.class);
				Clients.poke(server.getServerPort());
				ConfigurableApplicationContext running = context.getSourceApplicationContext();
				await().atMost(Duration.ofSeconds(10)).until(() -> !running.isActive());
			});
	}

	static class Outcomes implements ServerEventListener {

		final List<HandlerOutcome> list = new CopyOnWriteArrayList<>();

		@Override
		public void handlerFinished(HandlerOutcome outcome, long durationNanos) {
			this.list.add(outcome);
		}

	}

}
