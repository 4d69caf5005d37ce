package dev.gserver;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.gserver.ServerEventListener.HandlerOutcome;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A server's {@link ConnectionObserver} surrounds each handler run, on the handler's thread. */
@Timeout(30)
class ConnectionObserverTest {

	@RegisterExtension
	final Servers servers = new Servers();

	@RegisterExtension
	final LogCapture log = new LogCapture(BaseServer.class);

	/** What the observer saw of each connection, in the order it saw it. */
	private final List<String> seen = new CopyOnWriteArrayList<>();

	private final ThreadLocal<String> scope = new ThreadLocal<>();

	/** Puts a value in thread-local scope for the handler to see, and records where each call ran. */
	private final ConnectionObserver recording = (serverName, client) -> {
		Thread thread = Thread.currentThread();
		int port = ((InetSocketAddress) client.getRemoteAddress()).getPort();
		this.seen.add("started " + serverName + " " + port);
		this.scope.set("observed");
		return (outcome, error) -> {
			this.scope.remove();
			this.seen.add("finished " + outcome + " " + ((error != null) ? error.getMessage() : "-")
					+ " same-thread=" + (Thread.currentThread() == thread));
		};
	};

	@Test
	void surroundsEachHandlerOnItsThreadWithTheServersNameAndTheOutcome() throws Exception {
		StreamServer server = new StreamServer("127.0.0.1:0", (connection) -> {
			connection.getOutputStream().write((this.scope.get() + "\n").getBytes());
		});
		server.setName("plain");
		server.setConnectionObserver(this.recording);
		this.servers.start(server);
		int clientPort;
		try (Socket client = Clients.connect(server.getServerPort())) {
			clientPort = client.getLocalPort();
			assertThat(Clients.readLine(client.getInputStream())).isEqualTo("observed");
		}
		await().atMost(Duration.ofSeconds(10)).until(() -> this.seen.size() == 2);
		assertThat(this.seen).containsExactly("started plain " + clientPort, "finished SUCCESS - same-thread=true");
	}

	@Test
	void isToldWhatAFailedHandlerThrew() throws Exception {
		StreamServer server = new StreamServer("127.0.0.1:0", (connection) -> {
			throw new IllegalStateException("handler bug");
		});
		server.setConnectionObserver(this.recording);
		this.servers.start(server);
		assertThat(Clients.request(server.getServerPort(), "")).isEmpty();
		await().atMost(Duration.ofSeconds(10)).until(() -> this.seen.size() == 2);
		assertThat(this.seen.get(1)).isEqualTo("finished ERROR handler bug same-thread=true");
	}

	@Test
	void aFailingObserverIsLoggedAndTheHandlerRunsAnyway() throws Exception {
		RecordingListener events = new RecordingListener();
		StreamServer server = new StreamServer("127.0.0.1:0", Handlers::pong);
		server.addEventListener(events);
		server.setConnectionObserver((serverName, client) -> {
			throw new IllegalStateException("observer bug");
		});
		this.servers.start(server);
		assertThat(Clients.request(server.getServerPort(), "")).isEqualTo("PONG");
		server.setConnectionObserver((serverName, client) -> (outcome, error) -> {
			throw new IllegalStateException("observer bug at the end");
		});
		assertThat(Clients.request(server.getServerPort(), "")).isEqualTo("PONG");
		await().atMost(Duration.ofSeconds(10)).until(() -> events.outcomes.size() == 2);
		assertThat(events.outcomes).containsExactly(HandlerOutcome.SUCCESS, HandlerOutcome.SUCCESS);
		await().atMost(Duration.ofSeconds(10))
			.until(() -> this.log.events()
				.stream()
				.filter((event) -> event.getFormattedMessage().contains("observer"))
				.count() == 2);
	}

	@Test
	void aServerRunsWithoutMicrometerOnTheClassPath() throws Exception {
		try (ChildJvm child = ChildJvm.startWithout("micrometer", ServeOneClient.class)) {
			assertThat(child.readTagged("micrometer=")).isEqualTo("absent");
			int port = Integer.parseInt(child.readTagged("port="));
			assertThat(Clients.request(port, "")).isEqualTo("PONG");
			assertThat(child.readTagged("handled=")).isEqualTo("1");
			assertThat(child.waitFor(20)).isZero();
		}
	}

	@Test
	void noObserverByDefault() {
		assertThat(new StreamServer("127.0.0.1:0", Handlers::pong).getConnectionObserver())
			.isSameAs(ConnectionObserver.NONE);
	}

	/** A plain-Java user's server without Micrometer: serves one client, then stops. */
	static final class ServeOneClient {

		public static void main(String[] args) throws Exception {
			try {
				Class.forName("io.micrometer.observation.Observation");
				System.out.println("micrometer=present");
			}
			catch (ClassNotFoundException ex) {
				System.out.println("micrometer=absent");
			}
			CountDownLatch handled = new CountDownLatch(1);
			StreamServer server = new StreamServer("127.0.0.1:0", Handlers::pong);
			server.addEventListener(new ServerEventListener() {

				@Override
				public void handlerFinished(HandlerOutcome outcome, long durationNanos) {
					handled.countDown();
				}

			});
			server.start();
			System.out.println("port=" + server.getServerPort());
			System.out.flush();
			boolean served = handled.await(15, TimeUnit.SECONDS);
			server.stop();
			System.out.println("handled=" + (served ? 1 : 0));
			System.out.flush();
		}

	}

}
