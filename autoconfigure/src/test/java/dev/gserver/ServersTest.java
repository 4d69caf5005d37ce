package dev.gserver;

import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/** The {@link Servers} extension itself, driven by hand: what it stops, in which order, and within what. */
@Timeout(30)
class ServersTest {

	@Test
	void stopsEveryTrackedServerAndClosesEveryResourceLastFirst() throws Exception {
		List<String> order = new CopyOnWriteArrayList<>();
		RecordingListener events = new RecordingListener();
		Servers servers = new Servers().reportingTo(events);
		servers.autoClose(() -> order.add("first resource"));
		StreamServer started = servers.start(new StreamServer("127.0.0.1:0", Handlers::pong));
		StreamServer tracked = servers.track(new StreamServer("127.0.0.1:0", Handlers::pong));
		tracked.start();
		Socket client = servers.autoClose(Clients.connect(started.getServerPort()));
		servers.autoClose(() -> order.add("last resource"));
		started.addEventListener(new ServerEventListener() {
			@Override
			public void closed() {
				order.add("started server stopped, client closed: " + client.isClosed());
			}
		});
		assertThat(Clients.request(tracked.getServerPort(), "")).isEqualTo("PONG");
		// the first server's accept thread counts its client on its own time: wait for it, bounded
		await().atMost(Duration.ofSeconds(10)).untilAsserted(
				() -> assertThat(events.accepted).as("the listener was added to both servers").hasValue(2));

		servers.afterEach(null);

		assertThat(started.isClosed()).isTrue();
		assertThat(tracked.isClosed()).isTrue();
		assertThat(started.isStarted()).isFalse();
		assertThat(tracked.isStarted()).isFalse();
		assertThat(events.closed).hasValue(2);
		assertThat(order).containsExactly("last resource", "started server stopped, client closed: true",
				"first resource");
		assertThat(Clients.isRefused(started.getServerPort())).isTrue();

		// nothing is stopped twice: a second test starts from nothing
		order.clear();
		servers.afterEach(null);
		assertThat(order).isEmpty();
		assertThat(events.closed).hasValue(2);
	}

	@Test
	void aCleanUpThatThrowsFailsTheTestAfterTheOthersRan() {
		Servers servers = new Servers();
		StreamServer server = servers.track(new StreamServer("127.0.0.1:0", Handlers::pong));
		servers.autoClose(() -> {
			throw new IOException("cannot close");
		});
		assertThatExceptionOfType(AssertionError.class).isThrownBy(() -> servers.afterEach(null))
			.withMessageContaining("Cleaning up after the test failed")
			.havingCause()
			.withMessage("cannot close");
		assertThat(server.isClosed()).isTrue();
	}

	@Test
	void aCleanUpThatHangsFailsTheTestWithinTheBound() throws Exception {
		CountDownLatch release = new CountDownLatch(1);
		Servers servers = new Servers().cleaningUpWithin(Duration.ofMillis(200));
		servers.autoClose(new AutoCloseable() {
			@Override
			public void close() throws InterruptedException {
				release.await();
			}

			@Override
			public String toString() {
				return "a hanging resource";
			}
		});
		long begin = System.nanoTime();
		try {
			assertThatExceptionOfType(AssertionError.class).isThrownBy(() -> servers.afterEach(null))
				.withMessageContaining("took more than PT0.2S")
				.withMessageContaining("close a hanging resource");
		}
		finally {
			release.countDown();
		}
		assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin)).isLessThan(10_000L);
	}

}
