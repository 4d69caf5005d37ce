package dev.gserver.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.context.ConfigurableApplicationContext;

import dev.gserver.StreamServer;
import dev.gserver.autoconfigure.GServerAutoConfiguration;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.commands.ProtocolCommand;

/**
 * Closing the application context stops the server gracefully: the listener closes at once, an
 * open connection goes on being served, and the close returns as soon as that client leaves,
 * long before {@code gserver.stop-timeout}.
 */
@Timeout(value = 40, unit = TimeUnit.SECONDS)
class GracefulShutdownTest {

	private static final ProtocolCommand QUIT = () -> "QUIT".getBytes(StandardCharsets.US_ASCII);

	private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);

	@RegisterExtension
	final RunningSample sample = new RunningSample();

	private ConfigurableApplicationContext context;

	private Thread closer;

	@AfterEach
	void joinCloser() throws InterruptedException {
		if (this.closer != null) {
			this.closer.join(TimeUnit.SECONDS.toMillis(20));
		}
	}

	@Test
	void closeWaitsForTheOpenConnectionAndNoLonger() throws Exception {
		this.context = this.sample.start("--gserver.stop-timeout=" + STOP_TIMEOUT.toSeconds() + "s");
		StreamServer server = this.context.getBean(GServerAutoConfiguration.SERVER_BEAN_NAME, StreamServer.class);
		int port = RunningSample.gserverPort(this.context);
		assertThat(port).isPositive().isEqualTo(server.getServerPort());
		assertThat(server.isStarted()).isTrue();

		AtomicReference<Throwable> closeFailure = new AtomicReference<>();
		long closeStarted;
		try (Jedis jedis = new Jedis("127.0.0.1", port)) {
			assertThat(jedis.set("in-flight", "before")).isEqualTo("OK");
			assertThat(jedis.incr("counter")).isEqualTo(1);

			closeStarted = System.nanoTime();
			this.closer = new Thread(() -> {
				try {
					this.context.close();
				}
				catch (Throwable ex) {
					closeFailure.set(ex);
				}
			}, "context-closer");
			this.closer.start();

			// the listener closes at once: new clients are refused
			await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(10)).untilAsserted(() -> {
				assertThatExceptionOfType(ConnectException.class).isThrownBy(() -> {
					try (Socket socket = new Socket()) {
						socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
					}
				});
			});
			assertThat(server.isStarted()).isFalse();

			// ... while the open connection goes on being served, and close() waits for it
			assertThat(this.closer.isAlive()).as("context.close() is waiting for the open connection").isTrue();
			assertThat(jedis.get("in-flight")).isEqualTo("before");
			assertThat(jedis.set("in-flight", "during")).isEqualTo("OK");
			assertThat(jedis.get("in-flight")).isEqualTo("during");
			assertThat(jedis.incr("counter")).isEqualTo(2);
			assertThat(jedis.ping()).isEqualTo("PONG");
			assertThat(server.getActiveConnections()).isEqualTo(1);
			assertThat(this.closer.isAlive()).as("context.close() is waiting for the open connection").isTrue();

			// the client leaves: its handler ends, so the stop ends without waiting for the timeout
			assertThat(new String((byte[]) jedis.sendCommand(QUIT), StandardCharsets.US_ASCII)).isEqualTo("OK");
		}
		this.closer.join(TimeUnit.SECONDS.toMillis(5));
		long closeMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - closeStarted);
		assertThat(this.closer.isAlive()).as("context.close() returned within 5 s of the client leaving").isFalse();
		assertThat(closeFailure.get()).isNull();
		assertThat(closeMillis).as("close took (ms)").isLessThan(STOP_TIMEOUT.toMillis() / 2);
		assertThat(this.context.isActive()).isFalse();
		assertThat(server.isStarted()).isFalse();
		assertThat(server.isClosed()).isTrue();
		assertThat(server.getActiveConnections()).isZero();
	}

}
