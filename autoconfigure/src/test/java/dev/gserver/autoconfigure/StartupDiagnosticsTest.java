package dev.gserver.autoconfigure;

import ch.qos.logback.classic.Level;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.context.LifecycleAutoConfiguration;
import org.springframework.boot.context.properties.bind.validation.BindValidationException;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.validation.FieldError;

import dev.gserver.Handler;
import dev.gserver.Handlers;
import dev.gserver.LogCapture;
import dev.gserver.StreamServer;

import static org.assertj.core.api.Assertions.assertThat;

/** What start-up says when the configuration is wrong or does not do what its author meant. */
@Timeout(60)
class StartupDiagnosticsTest {

	private final ApplicationContextRunner runner = Runners.onLoopback(GServerAutoConfiguration.class);

	@Test
	void twoUnclaimedHandlersFailWithAnAnalysisNamingBothAndTheWaysOut() {
		this.runner.withBean("redisHandler", Handler.class, () -> Handlers::pong)
			.withBean("chatHandler", Handler.class, () -> Handlers::pong)
			.run((context) -> {
				assertThat(context).hasFailed();
				FailureAnalysis analysis = new AmbiguousHandlersFailureAnalyzer().analyze(context.getStartupFailure());
				assertThat(analysis).isNotNull();
				assertThat(analysis.getDescription()).contains("redisHandler", "chatHandler");
				assertThat(analysis.getAction()).contains("gserver.handler=redisHandler")
					.contains("gserver.servers.chatHandler.port=");
			});
	}

	@Test
	void twoHandlersWorkOnceOneIsNamedForTheDefaultServer() {
		this.runner.withBean("redisHandler", Handler.class, () -> Handlers::pong)
			.withBean("chatHandler", Handler.class, () -> Handlers::pong)
			.withPropertyValues("gserver.handler=redisHandler")
			.run((context) -> assertThat(context).hasNotFailed().hasSingleBean(StreamServer.class));
	}

	@Test
	void noHandlerLogsThatNoServerRunsAndWhy() {
		try (LogCapture log = new LogCapture(ServerRegistrar.class).start()) {
			this.runner.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(StreamServer.class));
			assertThat(log.events()).singleElement().satisfies((event) -> {
				assertThat(event.getLevel()).isEqualTo(Level.INFO);
				assertThat(event.getFormattedMessage()).contains("No gserver TCP server runs")
					.contains("no dev.gserver.Handler bean");
			});
		}
	}

	@Test
	void anUnknownKeyFailsNamingItAndTheNearestProperty() {
		this.runner.withBean(Handler.class, () -> Handlers::pong).withPropertyValues("gserver.prot=7071").run((context) -> {
			assertThat(context).hasFailed();
			FailureAnalysis analysis = new UnknownPropertyFailureAnalyzer().analyze(context.getStartupFailure());
			assertThat(analysis).isNotNull();
			assertThat(analysis.getDescription()).contains("gserver.prot = 7071");
			assertThat(analysis.getAction()).contains("Replace gserver.prot with gserver.port");
		});
	}

	@Test
	void anUnknownKeyOfANamedServerIsNamedWithTheServersNearestProperty() {
		this.runner.withBean("chatHandler", Handler.class, () -> Handlers::pong)
			.withPropertyValues("gserver.servers.chat.port=0", "gserver.servers.chat.max-conections=5")
			.run((context) -> {
				assertThat(context).hasFailed();
				FailureAnalysis analysis = new UnknownPropertyFailureAnalyzer().analyze(context.getStartupFailure());
				assertThat(analysis).isNotNull();
				assertThat(analysis.getAction())
					.contains("Replace gserver.servers.chat.max-conections with gserver.servers.chat.max-connections");
			});
	}

	@Test
	void aBadValueOfANamedServerFailsNamingItsProperty() {
		this.runner.withBean("chatHandler", Handler.class, () -> Handlers::pong)
			.withPropertyValues("gserver.servers.chat.port=70000")
			.run((context) -> {
				assertThat(context).hasFailed();
				BindValidationException invalid = GServerAutoConfigurationTest.findCause(context.getStartupFailure(),
						BindValidationException.class);
				assertThat(invalid).isNotNull();
				// checked as declared when gserver.* is bound, before the server is made
				assertThat(invalid.getValidationErrors().getName()).hasToString("gserver");
				assertThat(invalid.getValidationErrors().getAllErrors()).singleElement()
					.satisfies((error) -> assertThat(((FieldError) error).getField()).isEqualTo("servers[chat].port"));
				assertThat(invalid).hasMessageContaining("must be between 0 and 65535");
			});
	}

	@Test
	void aNegativeCapPerAddressOfANamedServerFailsNamingItsPropertyAndTheFix() {
		this.runner.withBean("chatHandler", Handler.class, () -> Handlers::pong)
			.withPropertyValues("gserver.max-connections-per-address=3", "gserver.servers.chat.port=0",
					"gserver.servers.chat.max-connections-per-address=-2")
			.run((context) -> {
				assertThat(context).hasFailed();
				BindValidationException invalid = GServerAutoConfigurationTest.findCause(context.getStartupFailure(),
						BindValidationException.class);
				assertThat(invalid).isNotNull();
				assertThat(invalid.getValidationErrors().getAllErrors()).singleElement().satisfies((error) -> {
					assertThat(((FieldError) error).getField()).isEqualTo("servers[chat].maxConnectionsPerAddress");
					assertThat(((FieldError) error).getRejectedValue()).isEqualTo(-2);
				});
				assertThat(invalid).hasMessageContaining("must be 0 (no limit) or positive");
			});
	}

	@Test
	void aNamedServerWithoutAHandlerFailsSayingHowToGiveItOne() {
		this.runner.withBean("pongHandler", Handler.class, () -> Handlers::pong)
			.withPropertyValues("gserver.servers.chat.port=0")
			.run((context) -> {
				InvalidConfigurationPropertyValueException invalid = GServerAutoConfigurationTest
					.findCause(context.getStartupFailure(), InvalidConfigurationPropertyValueException.class);
				assertThat(invalid).isNotNull();
				assertThat(invalid.getName()).isEqualTo("gserver.servers.chat.handler");
				assertThat(invalid.getReason()).contains("'chatHandler'").contains("[pongHandler]");
			});
	}

	@Test
	void aStopTimeoutLongerThanTheShutdownPhaseIsCutWithAWarningNamingBothProperties() {
		try (LogCapture log = new LogCapture(ShutdownBudget.class).start()) {
			this.runner.withConfiguration(AutoConfigurations.of(LifecycleAutoConfiguration.class))
				.withBean(Handler.class, () -> Handlers::pong)
				.withPropertyValues("gserver.stop-timeout=60s", "spring.lifecycle.timeout-per-shutdown-phase=10s")
				.run((context) -> assertThat(context.getBean(StreamServer.class).getStopTimeout()).hasSeconds(9));
			assertThat(log.events()).singleElement().satisfies((event) -> {
				assertThat(event.getLevel()).isEqualTo(Level.WARN);
				assertThat(event.getFormattedMessage()).contains("gserver.stop-timeout")
					.contains("spring.lifecycle.timeout-per-shutdown-phase");
			});
		}
	}

}
