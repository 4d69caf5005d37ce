package dev.gserver.autoconfigure;

import java.time.Duration;

import ch.qos.logback.classic.Level;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.availability.ApplicationAvailabilityAutoConfiguration;
import org.springframework.boot.autoconfigure.context.LifecycleAutoConfiguration;
import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.gserver.Clients;
import dev.gserver.Handler;
import dev.gserver.Handlers;
import dev.gserver.LogCapture;
import dev.gserver.StreamServer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A drain the load balancer sees: readiness follows an operator's pause and the shutdown delay. */
@Timeout(60)
class GServerDrainTest {

	private final ApplicationContextRunner runner = Runners
		.onLoopback(GServerAutoConfiguration.class, ApplicationAvailabilityAutoConfiguration.class,
				LifecycleAutoConfiguration.class)
		.withBean(Handler.class, () -> Handlers::pong);

	@Test
	void readinessRefusesTrafficWhileAnOperatorPausedEveryServerAndAcceptsItOnResume() {
		this.runner.withBean("chatHandler", Handler.class, () -> Handlers::pong)
			.withPropertyValues("gserver.servers.chat.port=0")
			.run((context) -> {
				ApplicationAvailability availability = context.getBean(ApplicationAvailability.class);
				AvailabilityChangeEvent.publish(context, ReadinessState.ACCEPTING_TRAFFIC);
				StreamServer main = context.getBean(GServerAutoConfiguration.SERVER_BEAN_NAME, StreamServer.class);
				StreamServer chat = context.getBean("chat", StreamServer.class);
				main.stopAccepting();
				// the chat server still serves: the application is still worth sending traffic to
				assertThat(availability.getReadinessState()).isEqualTo(ReadinessState.ACCEPTING_TRAFFIC);
				chat.stopAccepting();
				assertThat(availability.getReadinessState()).isEqualTo(ReadinessState.REFUSING_TRAFFIC);
				main.startAccepting();
				assertThat(availability.getReadinessState()).isEqualTo(ReadinessState.ACCEPTING_TRAFFIC);
			});
	}

	@Test
	void aResumeLeavesReadinessTheApplicationRefusedAlone() {
		this.runner.run((context) -> {
			ApplicationAvailability availability = context.getBean(ApplicationAvailability.class);
			StreamServer server = context.getBean(StreamServer.class);
			AvailabilityChangeEvent.publish(context, ReadinessState.REFUSING_TRAFFIC);
			server.stopAccepting();
			server.startAccepting();
			assertThat(availability.getReadinessState()).isEqualTo(ReadinessState.REFUSING_TRAFFIC);
		});
	}

	@Test
	void aPauseDuringShutdownLeavesReadinessRefused() {
		this.runner.run((context) -> {
			ApplicationAvailability availability = context.getBean(ApplicationAvailability.class);
			StreamServer server = context.getBean(StreamServer.class);
			AvailabilityChangeEvent.publish(context, ReadinessState.ACCEPTING_TRAFFIC);
			server.stopAccepting();
			context.stop();
			server.startAccepting();
			assertThat(availability.getReadinessState()).isEqualTo(ReadinessState.REFUSING_TRAFFIC);
			context.start();
			assertThat(availability.getReadinessState()).isEqualTo(ReadinessState.ACCEPTING_TRAFFIC);
		});
	}

	@Test
	void onCloseReadinessRefusesTrafficAtOnceWhileTheListenerServesForTheShutdownDelay() throws Exception {
		Duration delay = Duration.ofSeconds(4);
		long[] refusedAfterNanos = new long[1];
		try (LogCapture log = new LogCapture(GServerLifecycle.class).start()) {
			this.runner.withPropertyValues("gserver.shutdown-delay=" + delay.toSeconds() + "s").run((context) -> {
				ApplicationAvailability availability = context.getBean(ApplicationAvailability.class);
				AvailabilityChangeEvent.publish(context, ReadinessState.ACCEPTING_TRAFFIC);
				int port = context.getBean(StreamServer.class).getServerPort();
				long start = System.nanoTime();
				Thread closing = new Thread(context::close, "closing");
				closing.start();
				await().atMost(Duration.ofSeconds(10))
					.until(() -> availability.getReadinessState() == ReadinessState.REFUSING_TRAFFIC);
				// a load balancer that has not seen the refused readiness yet still gets its clients served
				assertThat(Clients.request(port, "")).isEqualTo("PONG");
				await().atMost(Duration.ofSeconds(20)).until(() -> Clients.isRefused(port));
				refusedAfterNanos[0] = System.nanoTime() - start;
				closing.join(20_000);
				assertThat(closing.isAlive()).isFalse();
			});
			assertThat(Duration.ofNanos(refusedAfterNanos[0])).isGreaterThanOrEqualTo(delay);
			assertThat(log.events()).singleElement().satisfies((event) -> {
				assertThat(event.getLevel()).isEqualTo(Level.INFO);
				assertThat(event.getFormattedMessage()).contains("4000 ms").contains("gserver.shutdown-delay");
			});
		}
	}

	@Test
	void aStopTimeoutThatDoesNotFitAfterTheShutdownDelayIsCutWithAWarningNamingTheProperties() {
		try (LogCapture log = new LogCapture(ShutdownBudget.class).start()) {
			this.runner
				.withPropertyValues("gserver.shutdown-delay=3s", "gserver.stop-timeout=3s",
						"spring.lifecycle.timeout-per-shutdown-phase=5s")
				.run((context) -> {
					assertThat(context.getBean(StreamServer.class).getStopTimeout()).hasSeconds(1);
					assertThat(context.getBean(GServerLifecycle.class).getShutdownDelay()).hasSeconds(3);
				});
			assertThat(log.events()).singleElement().satisfies((event) -> {
				assertThat(event.getLevel()).isEqualTo(Level.WARN);
				assertThat(event.getFormattedMessage()).contains("gserver.stop-timeout")
					.contains("gserver.shutdown-delay")
					.contains("spring.lifecycle.timeout-per-shutdown-phase");
			});
		}
	}

	@Test
	void aShutdownDelayLongerThanTheShutdownPhaseIsCutWithAWarning() {
		try (LogCapture log = new LogCapture(ShutdownBudget.class).start()) {
			this.runner
				.withPropertyValues("gserver.shutdown-delay=20s", "gserver.stop-timeout=0s",
						"spring.lifecycle.timeout-per-shutdown-phase=5s")
				.run((context) -> assertThat(context.getBean(GServerLifecycle.class).getShutdownDelay()).hasSeconds(4));
			assertThat(log.events()).singleElement().satisfies((event) -> {
				assertThat(event.getLevel()).isEqualTo(Level.WARN);
				assertThat(event.getFormattedMessage()).startsWith("gserver.shutdown-delay (PT20S) is cut to PT4S")
					.contains("spring.lifecycle.timeout-per-shutdown-phase");
			});
		}
	}

}
