package dev.gserver;

import java.io.IOException;
import java.net.Socket;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.awaitility.Awaitility.await;

/** The accept loop: max_accept, back-off, fatal errors, failed spawns, a full pool. */
@Timeout(60)
class AcceptLoopTest {

	private final RecordingListener events = new RecordingListener();

	@RegisterExtension
	final Servers servers = new Servers().reportingTo(this.events);

	@Test
	void maxAcceptMustBePositive() {
		StreamServer server = new StreamServer("127.0.0.1:0", Handlers::pong);
		assertThat(server.getMaxAccept()).isEqualTo(100);
		assertThatIllegalArgumentException().isThrownBy(() -> server.setMaxAccept(0))
			.withMessage("maxAccept must be at least 1, got 0");
		server.setMaxAccept(1);
		assertThat(server.getMaxAccept()).isEqualTo(1);
	}

	@Test
	void takesAtMostMaxAcceptConnectionsPerWakeUp() throws Exception {
		StreamServer server = new StreamServer("127.0.0.1:0", Handlers::pong);
		server.setMaxAccept(3);
		this.servers.start(server).stopAccepting();
		List<Socket> clients = new ArrayList<>();
		for (int i = 0; i < 10; i++) {
			clients.add(this.servers.autoClose(Clients.connect(server.getServerPort())));
		}
		long wakeUpsBefore = server.getAcceptWakeUps();
		server.startAccepting();
		for (Socket client : clients) {
			assertThat(client.getInputStream().readAllBytes()).asString().isEqualTo("PONG");
		}
		// 10 connections waiting, at most 3 per wake-up: at least 4 wake-ups
		assertThat(server.getAcceptWakeUps() - wakeUpsBefore).isGreaterThanOrEqualTo(4);
		assertThat(this.events.accepted).hasValue(10);
	}

	@Test
	void backsOffOnAcceptErrorsDoublingUpToMaxDelayAndResetsAfterSuccess() throws Exception {
		FailingAcceptServer server = new FailingAcceptServer();
		server.setMinDelay(Duration.ofMillis(10));
		server.setMaxDelay(Duration.ofMillis(40));
		for (int i = 0; i < 4; i++) {
			server.failNextAccept(new IOException("Too many open files"));
		}
		this.servers.start(server);
		long connected = System.nanoTime();
		assertThat(Clients.request(server.getServerPort(), "")).isEqualTo("PONG");
		long servedAfter = System.nanoTime() - connected;
		assertThat(this.events.delays).containsExactly(Duration.ofMillis(10), Duration.ofMillis(20),
				Duration.ofMillis(40), Duration.ofMillis(40));
		assertThat(this.events.acceptErrorsFatal).containsOnly(false);
		assertThat(this.events.acceptErrors).extracting(Throwable::getMessage).containsOnly("Too many open files");
		// the pauses really happened: never less than their sum (a slow machine only adds to it)
		assertThat(Duration.ofNanos(servedAfter)).isGreaterThanOrEqualTo(Duration.ofMillis(110));
		assertThat(server.isStarted()).isTrue();

		server.failNextAccept(new IOException("Too many open files"));
		assertThat(Clients.request(server.getServerPort(), "")).isEqualTo("PONG");
		assertThat(this.events.delays).hasSize(5).last().isEqualTo(Duration.ofMillis(10));
		assertThat(server.getAcceptErrorCount()).isEqualTo(5);
		assertThat(server.getAcceptedCount()).isEqualTo(2);
	}

	@Test
	void acceptStateShowsABackOffWhileItLasts() throws Exception {
		FailingAcceptServer server = new FailingAcceptServer();
		server.setMinDelay(Duration.ofMinutes(5));
		server.failNextAccept(new IOException("Too many open files"));
		assertThat(server.getAcceptState()).isEqualTo(AcceptState.NEW);
		this.servers.start(server);
		assertThat(server.getAcceptState()).isEqualTo(AcceptState.ACCEPTING);
		try (Socket waiting = Clients.connect(server.getServerPort())) {
			await().atMost(Duration.ofSeconds(10)).until(() -> server.getAcceptState() == AcceptState.BACKING_OFF);
			server.stopAccepting();
			assertThat(server.getAcceptState()).isEqualTo(AcceptState.PAUSED);
		}
		server.stop();
		assertThat(server.getAcceptState()).isEqualTo(AcceptState.CLOSED);
	}

	/** An OutOfMemoryError on the accept thread passes: the listener is intact, so it is a pause, not the end. */
	@Test
	void anOutOfMemoryErrorOnTheAcceptThreadBacksOffAndTheServerGoesOn() throws Exception {
		FailingAcceptServer server = new FailingAcceptServer();
		server.setMinDelay(Duration.ofMillis(10));
		OutOfMemoryError outOfMemory = new OutOfMemoryError("Java heap space (thrown by the test)");
		server.failNextAccept(outOfMemory);
		this.servers.start(server);
		try (LogCapture log = new LogCapture(BaseServer.class).start()) {
			assertThat(Clients.request(server.getServerPort(), "")).isEqualTo("PONG");
			assertThat(log.events()).anySatisfy((event) -> {
				assertThat(event.getLevel()).isEqualTo(ch.qos.logback.classic.Level.WARN);
				assertThat(event.getFormattedMessage()).contains("accept failed").contains("OutOfMemoryError");
			});
		}
		assertThat(server.isStarted()).isTrue();
		assertThat(server.getFatalError()).isNull();
		assertThat(this.events.acceptErrors).containsExactly(outOfMemory);
		assertThat(this.events.acceptErrorsFatal).containsExactly(false);
		assertThat(this.events.delays).containsExactly(Duration.ofMillis(10));
		assertThat(server.getAcceptState()).isEqualTo(AcceptState.ACCEPTING);
	}

	@Test
	void fatalAcceptErrorClosesTheServer() throws Exception {
		FailingAcceptServer server = new FailingAcceptServer();
		ClosedChannelException fatal = new ClosedChannelException();
		server.failNextAccept(fatal);
		this.servers.start(server);
		int port = server.getServerPort();
		Clients.poke(port);
		await().atMost(Duration.ofSeconds(10)).until(server::isClosed);
		assertThat(server.isStarted()).isFalse();
		assertThat(server.getFatalError()).isSameAs(fatal);
		assertThat(this.events.acceptErrors).containsExactly(fatal);
		assertThat(this.events.acceptErrorsFatal).containsExactly(true);
		assertThat(this.events.closed).hasValue(1);
		assertThat(Clients.isRefused(port)).isTrue();
		assertThat(server.getAcceptState()).isEqualTo(AcceptState.FAILED);
		assertThat(server.getAcceptErrorCount()).isEqualTo(1);
	}

	@Test
	void isFatalErrorDecidesAndCanBeOverridden() throws Exception {
		StreamServer plain = new StreamServer("127.0.0.1:0", Handlers::pong);
		assertThat(plain.isFatalError(new ClosedChannelException())).isTrue();
		assertThat(plain.isFatalError(new IOException("Too many open files"))).isFalse();
		assertThat(plain.getFatalErrors()).contains(ClosedChannelException.class);

		FailingAcceptServer server = new FailingAcceptServer() {
			@Override
			public boolean isFatalError(Throwable error) {
				return error.getMessage() != null && error.getMessage().contains("fatal here");
			}
		};
		server.failNextAccept(new IOException("fatal here"));
		this.servers.start(server);
		Clients.poke(server.getServerPort());
		await().atMost(Duration.ofSeconds(10)).until(server::isClosed);
		assertThat(this.events.acceptErrorsFatal).containsExactly(true);
	}

	@Test
	void failedSpawnClosesTheConnectionAndBacksOff() throws Exception {
		RejectedExecutionException refusal = new RejectedExecutionException("no more threads");
		StreamServer server = new StreamServer("127.0.0.1:0", Handlers::pong,
				Spawn.of(FailingExecutor.failingFirst(2, refusal)));
		server.setMinDelay(Duration.ofMillis(5));
		this.servers.start(server);
		int port = server.getServerPort();
		assertThat(Clients.request(port, "")).isEmpty();
		assertThat(Clients.request(port, "")).isEmpty();
		assertThat(Clients.request(port, "")).isEqualTo("PONG");
		assertThat(this.events.spawnErrors).containsExactly(refusal, refusal);
		assertThat(this.events.delays).containsExactly(Duration.ofMillis(5), Duration.ofMillis(10));
		assertThat(this.events.rejected).hasValue(2);
		assertThat(server.getRejectedCount()).isEqualTo(2);
		assertThat(server.getAcceptedCount()).isEqualTo(3);
		await().atMost(Duration.ofSeconds(10)).until(() -> server.getActiveConnections() == 0);
	}

	@Test
	void spawnThrowingAnErrorIsAFailedSpawnNotAFatalOne() throws Exception {
		AssertionError broken = new AssertionError("spawn broke");
		StreamServer server = this.servers
			.start(new StreamServer("127.0.0.1:0", Handlers::pong, Spawn.of(FailingExecutor.failingFirst(1, broken))));
		assertThat(Clients.request(server.getServerPort(), "")).isEmpty();
		assertThat(this.events.spawnErrors).containsExactly(broken);
		assertThat(this.events.acceptErrors).isEmpty();
		assertThat(server.isStarted()).isTrue();
		assertThat(Clients.request(server.getServerPort(), "")).isEqualTo("PONG");
	}

	@Test
	void fullPoolDropsConnectionsWhenAskedTo() throws Exception {
		CountDownLatch release = new CountDownLatch(1);
		CountDownLatch holding = new CountDownLatch(1);
		StreamServer server = new StreamServer("127.0.0.1:0", (connection) -> {
			holding.countDown();
			release.await();
			Handlers.pong(connection);
		}, Spawn.pool(1));
		server.setDropWhenFull(true);
		this.servers.start(server);
		int port = server.getServerPort();
		try (Socket first = Clients.connect(port)) {
			assertThat(holding.await(10, TimeUnit.SECONDS)).isTrue();
			assertThat(server.isFull()).isTrue();
			try (Socket dropped = Clients.connect(port)) {
				assertThat(Clients.isClosedWithoutData(dropped)).isTrue();
			}
			await().atMost(Duration.ofSeconds(10)).untilAtomic(this.events.rejected, org.hamcrest.Matchers.equalTo(1));
			assertThat(this.events.saturated).hasValue(0);
			release.countDown();
			assertThat(first.getInputStream().readAllBytes()).asString().isEqualTo("PONG");
		}
		await().atMost(Duration.ofSeconds(10)).until(() -> !server.isFull());
		assertThat(Clients.request(port, "")).isEqualTo("PONG");
	}

	@Spawns.Concurrent
	void maxConnectionsPausesAcceptingAtTheLimitWhateverTheSpawn(Supplier<Spawn> spawn) throws Exception {
		CountDownLatch holding = new CountDownLatch(2);
		Handler holdUntilClientCloses = (connection) -> {
			holding.countDown();
			connection.getInputStream().read();
			Handlers.pong(connection);
		};
		StreamServer server = new StreamServer("127.0.0.1:0", holdUntilClientCloses, spawn.get());
		server.setMaxConnections(2);
		this.servers.start(server);
		int port = server.getServerPort();
		try (Socket first = Clients.connect(port); Socket second = Clients.connect(port)) {
			assertThat(holding.await(10, TimeUnit.SECONDS)).isTrue();
			try (Socket waiting = Clients.connect(port)) {
				await().atMost(Duration.ofSeconds(10)).until(server::getAcceptState, org.hamcrest.Matchers.equalTo(AcceptState.POOL_FULL));
				assertThat(server.isFull()).isTrue();
				long wakeUps = server.getAcceptWakeUps();
				assertThat(Clients.isSilent(waiting)).isTrue();
				assertThat(server.getAcceptWakeUps()).isEqualTo(wakeUps);
				assertThat(server.getActiveConnections()).isEqualTo(2);
				first.shutdownOutput();
				assertThat(first.getInputStream().readAllBytes()).asString().isEqualTo("PONG");
				// the connection that ended makes room: the waiting client is served
				waiting.shutdownOutput();
				assertThat(waiting.getInputStream().readAllBytes()).asString().isEqualTo("PONG");
			}
		}
		assertThat(this.events.saturated.get()).isGreaterThanOrEqualTo(1);
		assertThat(this.events.rejected).hasValue(0);
	}

	@Test
	void maxConnectionsDropsAtTheLimitWhenAskedTo() throws Exception {
		CountDownLatch holding = new CountDownLatch(1);
		StreamServer server = new StreamServer("127.0.0.1:0", (connection) -> {
			holding.countDown();
			connection.getInputStream().read();
		});
		server.setMaxConnections(1);
		server.setDropWhenFull(true);
		this.servers.start(server);
		try (Socket first = Clients.connect(server.getServerPort())) {
			assertThat(holding.await(10, TimeUnit.SECONDS)).isTrue();
			try (Socket dropped = Clients.connect(server.getServerPort())) {
				assertThat(Clients.isClosedWithoutData(dropped)).isTrue();
			}
			assertThat(this.events.rejected).hasValue(1);
		}
	}

	@Test
	void maxConnectionsMustNotBeNegative() {
		StreamServer server = new StreamServer("127.0.0.1:0", Handlers::pong);
		assertThatIllegalArgumentException().isThrownBy(() -> server.setMaxConnections(-1))
			.withMessageContaining("maxConnections");
	}

	@Test
	void poolSharedByTwoServersResumesTheOtherServerWhenASlotFrees() throws Exception {
		Pool pool = new Pool(2);
		CountDownLatch holding = new CountDownLatch(2);
		Handler holdUntilClientCloses = (connection) -> {
			holding.countDown();
			connection.getInputStream().read();
		};
		StreamServer a = this.servers.start(new StreamServer("127.0.0.1:0", holdUntilClientCloses, Spawn.of(pool)));
		StreamServer b = this.servers.start(new StreamServer("127.0.0.1:0", Handlers::pong, Spawn.of(pool)));
		try (Socket first = Clients.connect(a.getServerPort()); Socket second = Clients.connect(a.getServerPort())) {
			assertThat(holding.await(10, TimeUnit.SECONDS)).isTrue();
			assertThat(pool.isFull()).isTrue();
			assertThat(b.isFull()).isTrue();
			try (Socket waiting = Clients.connect(b.getServerPort())) {
				await().atMost(Duration.ofSeconds(10)).untilAtomic(this.events.saturated, org.hamcrest.Matchers.greaterThan(0));
				assertThat(b.getAcceptState()).isEqualTo(AcceptState.POOL_FULL);
				long wakeUps = b.getAcceptWakeUps();
				assertThat(Clients.isSilent(waiting)).isTrue();
				// paused, not polling: the accept thread slept while the pool stayed full
				assertThat(b.getAcceptWakeUps()).isEqualTo(wakeUps);
				first.close();
				// the slot freed by server a's handler wakes server b, which was paused
				assertThat(waiting.getInputStream().readAllBytes()).asString().isEqualTo("PONG");
			}
		}
		assertThat(this.events.saturated.get()).isGreaterThanOrEqualTo(1);
	}

	@Test
	void stopAcceptingLeavesClientsInTheBacklogUntilStartAccepting() throws Exception {
		StreamServer server = this.servers.start(new StreamServer("127.0.0.1:0", Handlers::pong));
		server.stopAccepting();
		assertThat(server.isAccepting()).isFalse();
		assertThat(server.isStarted()).isTrue();
		try (Socket waiting = Clients.connect(server.getServerPort())) {
			assertThat(Clients.isSilent(waiting)).isTrue();
			assertThat(this.events.accepted).hasValue(0);
			server.startAccepting();
			assertThat(waiting.getInputStream().readAllBytes()).asString().isEqualTo("PONG");
		}
		assertThat(server.isAccepting()).isTrue();
	}

}
