package dev.gserver.autoconfigure;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardSocketOptions;
import java.time.Duration;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.context.properties.bind.validation.BindValidationException;
import org.springframework.boot.origin.OriginProvider;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.validation.FieldError;

import dev.gserver.Clients;
import dev.gserver.Handler;
import dev.gserver.SocketConnection;
import dev.gserver.StreamServer;
import dev.gserver.codec.FrameReader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * gserver.write-timeout, gserver.frame-timeout and gserver.idle-timeout through the starter:
 * bounded defaults, mapped onto the server, negative values refused naming the property, and
 * every deadline counted with its reason.
 */
@Timeout(60)
class GServerDeadlinesTest {

	private static final Duration PATIENCE = Duration.ofMillis(Clients.PATIENCE_MILLIS);

	private final ApplicationContextRunner runner = Runners.onLoopback(GServerAutoConfiguration.class,
			GServerMetricsAutoConfiguration.class)
		.withBean(SimpleMeterRegistry.class);

	@Test
	void writeAndFrameTimeoutsAreBoundedByDefault() {
		GServerProperties properties = new GServerProperties();
		// the properties' own defaults (literals, for the IDE metadata) are the core's
		assertThat(properties.getWriteTimeout()).isEqualTo(StreamServer.DEFAULT_WRITE_TIMEOUT).isEqualTo(Duration.ofSeconds(60));
		assertThat(properties.getFrameTimeout()).isEqualTo(StreamServer.DEFAULT_FRAME_TIMEOUT).isEqualTo(Duration.ofSeconds(30));
		this.runner.withBean(Handler.class, () -> (connection) -> {
		}).run((context) -> {
			StreamServer server = context.getBean(StreamServer.class);
			assertThat(server.getWriteTimeout()).isEqualTo(Duration.ofSeconds(60));
			assertThat(server.getFrameTimeout()).isEqualTo(Duration.ofSeconds(30));
			assertThat(server.getIdleTimeout()).isZero();
		});
	}

	@Test
	void deadlinesMapOntoTheServer() {
		this.runner.withBean(Handler.class, () -> (connection) -> {
		})
			.withPropertyValues("gserver.write-timeout=2s", "gserver.frame-timeout=500ms", "gserver.idle-timeout=3s")
			.run((context) -> {
				StreamServer server = context.getBean(StreamServer.class);
				assertThat(server.getWriteTimeout()).isEqualTo(Duration.ofSeconds(2));
				assertThat(server.getFrameTimeout()).isEqualTo(Duration.ofMillis(500));
				assertThat(server.getIdleTimeout()).isEqualTo(Duration.ofSeconds(3));
			});
	}

	@ParameterizedTest
	@ValueSource(strings = { "write-timeout", "frame-timeout", "idle-timeout" })
	void aNegativeDeadlineFailsStartUpNamingTheProperty(String property) {
		this.runner.withBean(Handler.class, () -> (connection) -> {
		}).withPropertyValues("gserver." + property + "=-1s").run((context) -> {
			assertThat(context).hasFailed();
			Throwable failure = context.getStartupFailure();
			while (failure != null && !(failure instanceof BindValidationException)) {
				failure = failure.getCause();
			}
			assertThat(failure).isNotNull();
			assertThat(((BindValidationException) failure).getValidationErrors().getAllErrors()).singleElement()
				.satisfies((error) -> {
					assertThat(((FieldError) error).getDefaultMessage()).isEqualTo("must not be negative");
					// what Spring Boot's failure analysis prints as "Property: gserver.write-timeout"
					assertThat(((OriginProvider) error).getOrigin()).hasToString("\"gserver." + property + "\" from property source \"test\"");
				});
		});
	}

	/**
	 * One client cut by the write timeout and one by the idle timeout, one slow-loris line cut
	 * by the frame timeout: each counted under its reason.
	 */
	@Test
	void everyDeadlineIsCountedWithItsReason() {
		byte[] block = new byte[1024 * 1024];
		Handler handler = (connection) -> {
			// the first line says what to do: "write" (for ever), or "read" (lines, until a frame stalls)
			FrameReader in = FrameReader.of(connection);
			if ("write".equals(in.readLine())) {
				((SocketConnection) connection).getChannel().setOption(StandardSocketOptions.SO_SNDBUF, 16 * 1024);
				OutputStream out = connection.getOutputStream();
				for (;;) {
					out.write(block);
				}
			}
			while (in.readLine() != null) {
				// reading on
			}
		};
		this.runner.withBean(Handler.class, () -> handler)
			.withPropertyValues("gserver.write-timeout=300ms", "gserver.idle-timeout=600ms", "gserver.frame-timeout=300ms")
			.run((context) -> {
				MeterRegistry registry = context.getBean(MeterRegistry.class);
				// both reasons exist before the first time-out, at 0
				assertThat(timedOut(registry, "write")).isZero();
				assertThat(timedOut(registry, "idle")).isZero();
				int port = context.getBean(StreamServer.class).getServerPort();
				try (Socket writeCut = nonReading(port); Socket idleCut = Clients.connect(port);
						Socket slowLoris = Clients.connect(port)) {
					writeCut.getOutputStream().write("write\n".getBytes());
					idleCut.getOutputStream().write("read\n".getBytes());
					slowLoris.getOutputStream().write("read\nnever ends".getBytes());
					await().atMost(PATIENCE).until(() -> timedOut(registry, "write") == 1 && timedOut(registry, "idle") >= 1
							&& registry.find("gserver.frames.rejected").tag("reason", "stalled").counter() != null);
				}
				assertThat(registry.get("gserver.frames.rejected").tag("reason", "stalled").counter().count()).isOne();
				// the stalled client's handler failed with the refusal; its connection was not timed out
				assertThat(timedOut(registry, "idle")).isOne();
				assertThat(timedOut(registry, "write")).isOne();
			});
	}

	private static double timedOut(MeterRegistry registry, String reason) {
		return registry.get("gserver.connections.timed.out").tag("name", "gserver").tag("reason", reason).counter().count();
	}

	private static Socket nonReading(int port) throws IOException {
		Socket socket = new Socket();
		socket.setReceiveBufferSize(16 * 1024);
		socket.connect(new InetSocketAddress("127.0.0.1", port), Clients.PATIENCE_MILLIS);
		return socket;
	}

}
