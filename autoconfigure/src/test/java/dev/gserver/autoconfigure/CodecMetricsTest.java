package dev.gserver.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.gserver.Clients;
import dev.gserver.Handler;
import dev.gserver.StreamServer;
import dev.gserver.codec.FrameReader;
import dev.gserver.codec.FrameWriter;

/** Frames the codecs refuse are counted by reason, under the Prometheus name the docs give. */
@Timeout(60)
class CodecMetricsTest {

	private final ApplicationContextRunner runner = Runners
		.onLoopback(GServerAutoConfiguration.class, GServerMetricsAutoConfiguration.class)
		.withBean(PrometheusMeterRegistry.class, () -> new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));

	/** Echoes lines of at most 8 bytes. */
	private static final Handler SHORT_LINES = (connection) -> {
		FrameReader in = FrameReader.of(connection).maxLineLength(8);
		FrameWriter out = FrameWriter.of(connection);
		for (String line; (line = in.readLine()) != null;) {
			out.writeLine(line).flush();
		}
	};

	@Test
	void refusedFramesAreCountedByReason() {
		this.runner.withBean(Handler.class, () -> SHORT_LINES).run((context) -> {
			PrometheusMeterRegistry registry = context.getBean(PrometheusMeterRegistry.class);
			int port = context.getBean(StreamServer.class).getServerPort();
			assertThat(request(port, "short\n".getBytes(StandardCharsets.US_ASCII))).isEqualTo("short\r\n");
			assertThat(request(port, "far too long a line\n".getBytes(StandardCharsets.US_ASCII))).isEmpty();
			assertThat(request(port, new byte[] { (byte) 0xff, (byte) 0xfe, '\n' })).isEmpty();
			assertThat(request(port, "cut".getBytes(StandardCharsets.US_ASCII))).isEmpty();
			await().atMost(Duration.ofSeconds(10)).until(() -> count(registry, "truncated") == 1);
			assertThat(count(registry, "too-long")).isEqualTo(1);
			assertThat(count(registry, "malformed")).isEqualTo(1);
			assertThat(registry.scrape()).contains("gserver_frames_rejected_total{name=\"gserver\",reason=\"too-long\"} 1");
		});
	}

	private static double count(MeterRegistry registry, String reason) {
		var counter = registry.find("gserver.frames.rejected").tag("reason", reason).tag("name", "gserver").counter();
		return (counter != null) ? counter.count() : 0;
	}

	/** Sends {@code request}, ends the output, and reads until the server closes. */
	private static String request(int port, byte[] request) throws Exception {
		try (java.net.Socket client = Clients.connect(port)) {
			client.getOutputStream().write(request);
			client.shutdownOutput();
			return new String(Clients.readUntilClosed(client), StandardCharsets.ISO_8859_1);
		}
	}

}
