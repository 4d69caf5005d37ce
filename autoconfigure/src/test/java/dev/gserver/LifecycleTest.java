package dev.gserver;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.gserver.ServerEventListener.HandlerOutcome;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.awaitility.Awaitility.await;

/** start, close, stop and serveForever: in order, twice, and out of order. */
@Timeout(60)
class LifecycleTest {

	private final RecordingListener events = new RecordingListener();

	@RegisterExtension
	final Servers servers = new Servers().reportingTo(this.events);

	private StreamServer server(Handler handler, Spawn spawn) {
		return this.servers.track(new StreamServer("127.0.0.1:0", handler, spawn));
	}

	private StreamServer started(Handler handler, Spawn spawn) throws IOException {
		return this.servers.start(new StreamServer("127.0.0.1:0", handler, spawn));
	}

	/**
	 * The default backlog holds a burst: 600 connects complete (queued by the kernel) while the
	 * server accepts nothing, where gevent's 128 would leave the rest waiting for a SYN retry.
	 */
	@Test
	void theDefaultBacklogHoldsABurstOfConnectsWhileNothingIsAccepted() throws Exception {
		int burst = 600;
		Assumptions.assumeTrue(StreamServer.DEFAULT_BACKLOG >= burst,
				"this system's listen queue limit (net.core.somaxconn) is below " + burst);
		StreamServer server = started(Handlers::pong, Spawn.DEFAULT);
		server.stopAccepting();
		List<Socket> clients = new ArrayList<>();
		try {
			for (int i = 0; i < burst; i++) {
				Socket client = new Socket();
				clients.add(client);
				// a connect past a full queue waits a second for its SYN retry: 500 ms tells
				client.connect(new InetSocketAddress("127.0.0.1", server.getServerPort()), 500);
			}
			server.startAccepting();
			assertThat(clients.get(burst - 1).getInputStream().readAllBytes()).asString().isEqualTo("PONG");
		}
		finally {
			for (Socket client : clients) {
				client.close();
			}
		}
	}

	@Test
	void defaultsAreGevents() {
		StreamServer server = server(Handlers::pong, Spawn.DEFAULT);
		assertThat(server.getMaxAccept()).isEqualTo(100);
		assertThat(server.getMinDelay()).isEqualTo(Duration.ofMillis(10));
		assertThat(server.getMaxDelay()).isEqualTo(Duration.ofSeconds(1));
		assertThat(server.getStopTimeout()).isEqualTo(Duration.ofSeconds(1));
		// decided unlike gevent's 128: the system's own limit, which a burst of connects does not overflow
		assertThat(server.getBacklog()).isEqualTo(StreamServer.DEFAULT_BACKLOG);
		assertThat(server.isReuseAddress()).isTrue();
		assertThat(server.getSpawn()).isSameAs(Spawn.DEFAULT);
		assertThat(server.isStarted()).isFalse();
		// gevent's closed means "has no listener": true until start binds one
		assertThat(server.isClosed()).isTrue();
	}

	@Test
	void serverHostAndPortAreTheBoundValues() throws Exception {
		StreamServer server = server(Handlers::pong, Spawn.DEFAULT);
		assertThat(server.getServerHost()).isEqualTo("127.0.0.1");
		assertThat(server.getServerPort()).isZero();
		server.start();
		assertThat(server.getServerHost()).isEqualTo("127.0.0.1");
		assertThat(server.getServerPort()).isPositive();
		assertThat(server.isClosed()).isFalse();
		assertThat(Clients.request(server.getServerPort(), "")).isEqualTo("PONG");
	}

	@Test
	void servesIpv6Loopback() throws Exception {
		StreamServer server = this.servers.start(new StreamServer("[::1]:0", Handlers::pong));
		assertThat(server.getServerHost()).isEqualTo("::1");
		assertThat(server.toString()).startsWith("<StreamServer address=[::1]:" + server.getServerPort() + " ");
		try (Socket client = new Socket("::1", server.getServerPort())) {
			assertThat(client.getInputStream().readAllBytes()).asString().isEqualTo("PONG");
		}
	}

	@Test
	void toStringReadsLikeGevent() throws Exception {
		Handler named = new Handler() {
			@Override
			public void handle(Connection connection) {
			}

			@Override
			public String toString() {
				return "EchoHandler";
			}
		};
		StreamServer server = server(named, Spawn.DEFAULT);
		assertThat(server).hasToString("<StreamServer address=127.0.0.1:0 handle=EchoHandler>");
		server.start();
		assertThat(server).hasToString("<StreamServer address=127.0.0.1:" + server.getServerPort() + " handle=EchoHandler>");
	}

	@Spawns.All
	void startTwiceStartsOnce(Supplier<Spawn> spawn) throws Exception {
		StreamServer server = started(Handlers::pong, spawn.get());
		int port = server.getServerPort();
		server.start();
		assertThat(server.getServerPort()).isEqualTo(port);
		assertThat(acceptThreads(server)).hasSize(1);
		assertThat(Clients.request(port, "")).isEqualTo("PONG");
	}

	@Spawns.All
	void closeAndStopTwiceAreSafe(Supplier<Spawn> spawn) throws Exception {
		StreamServer server = started(Handlers::pong, spawn.get());
		int port = server.getServerPort();
		server.close();
		server.close();
		server.stop();
		server.stop();
		assertThat(server.isStarted()).isFalse();
		assertThat(server.isClosed()).isTrue();
		assertThat(this.events.closed).hasValue(1);
		assertThat(Clients.isRefused(port)).isTrue();
		assertThat(acceptThreads(server)).isEmpty();
	}

	@Test
	void stopBeforeStartThenStartServes() throws Exception {
		StreamServer server = server(Handlers::pong, Spawn.DEFAULT);
		server.stop();
		assertThat(server.isStarted()).isFalse();
		server.start();
		assertThat(server.isStarted()).isTrue();
		assertThat(Clients.request(server.getServerPort(), "")).isEqualTo("PONG");
	}

	@Test
	void serverBuiltFromAnAddressStartsAgainAfterStop() throws Exception {
		StreamServer server = server(Handlers::pong, Spawn.pool(2));
		for (int round = 0; round < 3; round++) {
			server.start();
			int port = server.getServerPort();
			assertThat(Clients.request(port, "")).isEqualTo("PONG");
			server.stop();
			assertThat(Clients.isRefused(port)).isTrue();
		}
		assertThat(this.events.closed).hasValue(3);
	}

	@Test
	void serverGivenAListenerCannotStartAfterClose() throws Exception {
		ServerSocketChannel listener = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
		StreamServer server = this.servers.start(new StreamServer(listener, Handlers::pong));
		server.stop();
		assertThat(listener.isOpen()).isFalse();
		assertThatIllegalStateException().isThrownBy(server::start).withMessageContaining("setListener");
	}

	@Test
	void stopBeforeStartClosesAGivenListener() throws Exception {
		ServerSocketChannel listener = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
		StreamServer server = new StreamServer(listener, Handlers::pong);
		assertThat(server.isClosed()).isFalse();
		server.stop();
		assertThat(listener.isOpen()).isFalse();
		assertThat(server.isClosed()).isTrue();
	}

	@Test
	void startWithoutHandlerFailsClearly() {
		StreamServer server = server(null, Spawn.DEFAULT);
		assertThatIllegalStateException().isThrownBy(server::start).withMessageContaining("'handle' must be provided");
		assertThat(server.isStarted()).isFalse();
	}

	@Test
	void setHandleReplacesTheHandler() throws Exception {
		StreamServer server = server(null, Spawn.DEFAULT);
		server.setHandle(Handlers::pong);
		server.start();
		assertThat(Clients.request(server.getServerPort(), "")).isEqualTo("PONG");
	}

	@Test
	void settingTheListenerOrSpawnWhileStartedFails() throws Exception {
		StreamServer server = started(Handlers::pong, Spawn.DEFAULT);
		assertThatIllegalStateException().isThrownBy(() -> server.setListener("127.0.0.1:0"))
			.withMessageContaining("while it is started");
		assertThatIllegalStateException().isThrownBy(() -> server.setSpawn(Spawn.RAW))
			.withMessageContaining("while it is started");
	}

	@Test
	void portInUseNamesThePort() throws Exception {
		try (ServerSocket taken = new ServerSocket(0, 50, java.net.InetAddress.getByName("127.0.0.1"))) {
			int port = taken.getLocalPort();
			StreamServer server = this.servers.track(new StreamServer("127.0.0.1:" + port, Handlers::pong));
			server.setReuseAddress(false);
			assertThatExceptionOfType(PortInUseException.class).isThrownBy(server::start)
				.withMessageContaining("Port " + port)
				.withMessageContaining("127.0.0.1:" + port)
				.satisfies((ex) -> assertThat(ex.getPort()).isEqualTo(port));
			assertThat(server.isStarted()).isFalse();
			assertThat(acceptThreads(server)).isEmpty();
		}
	}

	@Test
	void otherBindFailuresNameTheAddressAndAreNotPortInUse() {
		// TEST-NET-1 is never a local address: binding it fails with "Cannot assign requested address"
		StreamServer server = server(Handlers::pong, Spawn.DEFAULT);
		server.setListener("192.0.2.1:0");
		assertThatExceptionOfType(java.net.BindException.class).isThrownBy(server::start)
			.withMessageStartingWith("Failed to bind 192.0.2.1:0: ")
			.isNotInstanceOf(PortInUseException.class);
	}

	@Test
	void backlogCannotBeGivenWithABoundListener() throws Exception {
		try (ServerSocketChannel listener = ServerSocketChannel.open()
			.bind(new InetSocketAddress("127.0.0.1", 0))) {
			StreamServer server = new StreamServer(listener, Handlers::pong);
			org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
				.isThrownBy(() -> server.setBacklog(25))
				.withMessage("backlog must not be set when a bound ServerSocketChannel is given");
		}
	}

	@Spawns.All
	void stopWaitsForRunningHandlers(Supplier<Spawn> spawn) throws Exception {
		CountDownLatch running = new CountDownLatch(1);
		CountDownLatch release = new CountDownLatch(1);
		StreamServer server = started((connection) -> {
			running.countDown();
			release.await();
			Handlers.pong(connection);
		}, spawn.get());
		int port = server.getServerPort();
		try (Socket client = Clients.connect(port)) {
			assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
			Thread stopper = new Thread(() -> server.stop(Duration.ofSeconds(30)));
			stopper.start();
			// the listener closes at once, while stop still waits for the handler
			await().atMost(Duration.ofSeconds(10)).until(() -> Clients.isRefused(port));
			assertThat(stopper.isAlive()).isTrue();
			release.countDown();
			assertThat(client.getInputStream().readAllBytes()).asString().isEqualTo("PONG");
			stopper.join(10_000);
			assertThat(stopper.isAlive()).isFalse();
		}
		assertThat(this.events.outcomes).containsExactly(HandlerOutcome.SUCCESS);
	}

	@Spawns.All
	void stopKillsHandlersStillRunningAfterTheTimeout(Supplier<Spawn> spawn) throws Exception {
		CountDownLatch running = new CountDownLatch(1);
		AtomicBoolean interrupted = new AtomicBoolean();
		StreamServer server = started((connection) -> {
			running.countDown();
			try {
				new CountDownLatch(1).await();
			}
			catch (InterruptedException ex) {
				interrupted.set(true);
				throw ex;
			}
		}, spawn.get());
		try (Socket client = Clients.connect(server.getServerPort())) {
			assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
			server.stop(Duration.ofMillis(50));
			assertThat(Clients.isClosedWithoutData(client)).isTrue();
		}
		assertThat(interrupted).isTrue();
		assertThat(this.events.outcomes).containsExactly(HandlerOutcome.KILLED);
		assertThat(server.getActiveConnections()).isZero();
		assertThat(acceptThreads(server)).isEmpty();
	}

	@Test
	void handlerWaitingForARequestPastTheTimeoutSeesEndOfInputAndMayStillReply() throws Exception {
		CountDownLatch reading = new CountDownLatch(1);
		AtomicInteger readResult = new AtomicInteger(Integer.MIN_VALUE);
		StreamServer server = started((connection) -> {
			reading.countDown();
			readResult.set(connection.getInputStream().read());
			// the output stays open: a reply in flight when the server stops still reaches the client
			connection.getOutputStream().write("BYE".getBytes(StandardCharsets.US_ASCII));
		}, Spawn.DEFAULT);
		try (Socket client = Clients.connect(server.getServerPort())) {
			assertThat(reading.await(10, TimeUnit.SECONDS)).isTrue();
			server.stop(Duration.ofMillis(50));
			assertThat(Clients.readUntilClosed(client)).asString(StandardCharsets.US_ASCII).isEqualTo("BYE");
		}
		assertThat(readResult).hasValue(-1);
		assertThat(this.events.outcomes).containsExactly(HandlerOutcome.SUCCESS);
	}

	@Test
	void reusePortLetsTwoServersListenOnOnePort() throws Exception {
		StreamServer first = server(Handlers::pong, Spawn.DEFAULT);
		first.setReusePort(true);
		first.start();
		int port = first.getServerPort();
		StreamServer second = server(Handlers::pong, Spawn.DEFAULT);
		second.setListener("127.0.0.1:" + port);
		second.setReusePort(true);
		second.start();
		assertThat(second.getServerPort()).isEqualTo(port);
		first.stop();
		// the port stays served by the second server
		assertThat(Clients.request(port, "")).isEqualTo("PONG");
		StreamServer withoutReusePort = server(Handlers::pong, Spawn.DEFAULT);
		withoutReusePort.setListener("127.0.0.1:" + port);
		assertThatExceptionOfType(PortInUseException.class).isThrownBy(withoutReusePort::start);
	}

	@Test
	void handlerMayStopItsOwnServer() throws Exception {
		AtomicReference<StreamServer> self = new AtomicReference<>();
		StreamServer server = server((connection) -> {
			Handlers.pong(connection);
			self.get().stop(Duration.ofSeconds(30));
		}, Spawn.DEFAULT);
		self.set(server);
		server.start();
		int port = server.getServerPort();
		assertThat(Clients.request(port, "")).isEqualTo("PONG");
		await().atMost(Duration.ofSeconds(10)).until(() -> this.events.outcomes.size() == 1);
		// the handler did not wait for itself, nor kill itself
		assertThat(this.events.outcomes).containsExactly(HandlerOutcome.SUCCESS);
		assertThat(server.isStarted()).isFalse();
		assertThat(Clients.isRefused(port)).isTrue();
	}

	@Test
	void serveForeverReturnsAfterStopFromAnotherThread() throws Exception {
		StreamServer server = server(Handlers::pong, Spawn.DEFAULT);
		AtomicReference<Throwable> failure = new AtomicReference<>();
		Thread serving = new Thread(() -> {
			try {
				server.serveForever(Duration.ofSeconds(5));
			}
			catch (Throwable ex) {
				failure.set(ex);
			}
		});
		serving.start();
		await().atMost(Duration.ofSeconds(10)).until(server::isStarted);
		assertThat(Clients.request(server.getServerPort(), "")).isEqualTo("PONG");
		server.stop();
		serving.join(10_000);
		assertThat(serving.isAlive()).isFalse();
		assertThat(failure.get()).isNull();
		assertThat(server.isStarted()).isFalse();
	}

	@Test
	void serveForeverStopsWhenItsThreadIsInterrupted() throws Exception {
		StreamServer server = server(Handlers::pong, Spawn.DEFAULT);
		Thread serving = new Thread(() -> {
			try {
				server.serveForever();
			}
			catch (IOException ex) {
				throw new IllegalStateException(ex);
			}
		});
		serving.start();
		await().atMost(Duration.ofSeconds(10)).until(server::isStarted);
		int port = server.getServerPort();
		serving.interrupt();
		serving.join(10_000);
		assertThat(serving.isAlive()).isFalse();
		assertThat(Clients.isRefused(port)).isTrue();
	}

	@Test
	void threadsAreNamedAfterTheServerAndAcceptThreadIsNotADaemon() throws Exception {
		AtomicReference<Thread> handlerThread = new AtomicReference<>();
		StreamServer server = server((connection) -> {
			handlerThread.set(Thread.currentThread());
			Handlers.pong(connection);
		}, Spawn.DEFAULT);
		server.setName("echo");
		server.start();
		String prefix = "echo[127.0.0.1:" + server.getServerPort() + "]";
		assertThat(Clients.request(server.getServerPort(), "")).isEqualTo("PONG");
		Set<Thread> accept = acceptThreads(server);
		assertThat(accept).singleElement().satisfies((thread) -> {
			assertThat(thread.getName()).isEqualTo(prefix + "-accept");
			assertThat(thread.isDaemon()).isFalse();
		});
		assertThat(handlerThread.get().getName()).startsWith(prefix + "-handler-");
		assertThat(isVirtual(handlerThread.get())).isEqualTo(Runtime.version().feature() >= 21);
	}

	static boolean isVirtual(Thread thread) throws Exception {
		try {
			return (boolean) Thread.class.getMethod("isVirtual").invoke(thread);
		}
		catch (NoSuchMethodException ex) {
			return false;
		}
	}

	static Set<Thread> acceptThreads(BaseServer<?, ?> server) {
		String suffix = "[" + server.getServerHost() + ":" + server.getServerPort() + "]-accept";
		return Thread.getAllStackTraces()
			.keySet()
			.stream()
			.filter((thread) -> thread.getName().endsWith(suffix) && thread.isAlive())
			.collect(Collectors.toSet());
	}

}
