package dev.gserver.autoconfigure;

import java.time.Duration;
import java.util.List;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.prometheus.PrometheusMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.gserver.Clients;
import dev.gserver.Handler;
import dev.gserver.StreamServer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * How many Prometheus series one server costs, counted in a real scrape with Spring Boot's own
 * metrics auto-configuration: few by default, the handler histogram only when Boot's distribution
 * properties ask for it. docs/observability.md gives the count.
 */
@Timeout(60)
class GServerSeriesCountTest {

	/** The budget of one server with the defaults. */
	private static final int MOST_SERIES_BY_DEFAULT = 30;

	private final ApplicationContextRunner runner = Runners
		.onLoopback(MetricsAutoConfiguration.class, PrometheusMetricsExportAutoConfiguration.class,
				GServerAutoConfiguration.class, GServerMetricsAutoConfiguration.class)
		.withBean(Handler.class, () -> (connection) -> connection.getOutputStream().write('+'));

	@Test
	void aServerWithTheDefaultsPublishesAtMostThirtySeriesAndNoHistogram() {
		this.runner.run((context) -> {
			List<String> series = seriesAfterOneConnection(context.getBean(PrometheusMeterRegistry.class),
					context.getBean(StreamServer.class));
			assertThat(series).noneMatch((line) -> line.startsWith("gserver_handler_duration_seconds_bucket"))
				.anyMatch((line) -> line.startsWith("gserver_handler_duration_seconds_count{")
						&& line.contains("outcome=\"success\""));
			assertThat(series).hasSizeLessThanOrEqualTo(MOST_SERIES_BY_DEFAULT);
		});
	}

	@Test
	void bootsPercentilesHistogramPropertyTurnsTheHandlerBucketsOn() {
		this.runner
			.withPropertyValues("management.metrics.distribution.percentiles-histogram.gserver.handler.duration=true")
			.run((context) -> {
				List<String> series = seriesAfterOneConnection(context.getBean(PrometheusMeterRegistry.class),
						context.getBean(StreamServer.class));
				assertThat(series.stream()
					.filter((line) -> line.startsWith("gserver_handler_duration_seconds_bucket{")
							&& line.contains("outcome=\"success\""))
					.count()).isGreaterThan(20);
				assertThat(series).hasSizeGreaterThan(MOST_SERIES_BY_DEFAULT);
			});
	}

	/** The scrape's sample lines of the server named gserver, once one connection was handled. */
	private static List<String> seriesAfterOneConnection(PrometheusMeterRegistry registry, StreamServer server)
			throws Exception {
		assertThat(Clients.request(server.getServerPort(), "")).isEqualTo("+");
		await().atMost(Duration.ofSeconds(10))
			.until(() -> registry.get("gserver.handler.duration").tag("outcome", "success").timer().count() == 1);
		return registry.scrape()
			.lines()
			.filter((line) -> line.startsWith("gserver_") && line.contains("name=\"gserver\""))
			.toList();
	}

}
