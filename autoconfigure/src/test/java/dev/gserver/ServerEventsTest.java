package dev.gserver;

import java.net.Socket;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.gserver.ServerEventListener.HandlerOutcome;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** What a server reports to its listeners, and the byte counts it keeps. */
@Timeout(30)
class ServerEventsTest {

	private final RecordingListener events = new RecordingListener();

	@RegisterExtension
	final Servers servers = new Servers().reportingTo(this.events);

	private StreamServer started(Handler handler) throws Exception {
		return this.servers.start(new StreamServer("127.0.0.1:0", handler));
	}

	@Test
	void countsBytesBothWays() throws Exception {
		StreamServer server = started(Handlers::echoLines);
		String line = "x".repeat(99);
		try (Socket client = Clients.connect(server.getServerPort())) {
			for (int i = 0; i < 10; i++) {
				assertThat(Clients.echoLine(client, line)).isEqualTo(line);
			}
		}
		await().atMost(Duration.ofSeconds(10)).until(() -> this.events.outcomes.size() == 1);
		assertThat(server.getBytesReceived()).isEqualTo(10 * 100);
		assertThat(server.getBytesSent()).isEqualTo(10 * 100);
	}

	@Test
	void reportsAConnectionFromAcceptToFinish() throws Exception {
		StreamServer server = started(Handlers::pong);
		assertThat(Clients.request(server.getServerPort(), "")).isEqualTo("PONG");
		await().atMost(Duration.ofSeconds(10)).until(() -> this.events.outcomes.size() == 1);
		assertThat(this.events.accepted).hasValue(1);
		assertThat(this.events.started).hasValue(1);
		assertThat(this.events.outcomes).containsExactly(HandlerOutcome.SUCCESS);
		assertThat(this.events.rejected).hasValue(0);
	}

	@Test
	void reportsPauseAndResumeOncePerChange() throws Exception {
		StreamServer server = started(Handlers::pong);
		server.stopAccepting();
		server.stopAccepting();
		assertThat(this.events.paused).hasValue(1);
		server.startAccepting();
		server.startAccepting();
		assertThat(this.events.resumed).hasValue(1);
		assertThat(Clients.request(server.getServerPort(), "")).isEqualTo("PONG");
	}

	@Test
	void aFailingListenerDisturbsNeitherTheServerNorOtherListeners() throws Exception {
		StreamServer server = new StreamServer("127.0.0.1:0", Handlers::pong);
		// the failing listener first: the one after it must hear everything all the same
		server.addEventListener(new ServerEventListener() {
			@Override
			public void connectionAccepted() {
				throw new IllegalStateException("listener bug");
			}

			@Override
			public void handlerFinished(HandlerOutcome outcome, long durationNanos) {
				throw new IllegalStateException("listener bug");
			}
		});
		this.servers.start(server);
		assertThat(Clients.request(server.getServerPort(), "")).isEqualTo("PONG");
		assertThat(Clients.request(server.getServerPort(), "")).isEqualTo("PONG");
		await().atMost(Duration.ofSeconds(10)).until(() -> this.events.outcomes.size() == 2);
		assertThat(this.events.accepted).hasValue(2);
	}

	@Test
	void removedListenerHearsNothingMore() throws Exception {
		StreamServer server = started(Handlers::pong);
		assertThat(Clients.request(server.getServerPort(), "")).isEqualTo("PONG");
		await().atMost(Duration.ofSeconds(10)).until(() -> this.events.outcomes.size() == 1);
		server.removeEventListener(this.events);
		assertThat(Clients.request(server.getServerPort(), "")).isEqualTo("PONG");
		await().atMost(Duration.ofSeconds(10)).until(() -> server.getActiveConnections() == 0);
		RecordingListener later = new RecordingListener();
		server.addEventListener(later);
		assertThat(Clients.request(server.getServerPort(), "")).isEqualTo("PONG");
		await().atMost(Duration.ofSeconds(10)).until(() -> later.outcomes.size() == 1);
		assertThat(later.accepted).hasValue(1);
		assertThat(this.events.accepted).hasValue(1);
	}

}
