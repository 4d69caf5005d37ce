package dev.gserver;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.gserver.ServerEventListener.HandlerOutcome;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.awaitility.Awaitility.await;

/**
 * gevent's {@code src/gevent/tests/test__server.py}, scenarios 1-14 of
 * {@code shared/reference/gevent-behaviour.md} section 3, against real sockets on 127.0.0.1.
 * Scenarios 1-11 run for every spawn of {@link Spawns#all()}: {@link Spawn#DEFAULT},
 * {@link Spawn#RAW} and {@code Spawn.pool(2)} as gevent's {@code TestDefaultSpawn},
 * {@code TestRawSpawn} and {@code TestPoolSpawn} do, and also a wide pool and {@link Spawn#NONE};
 * 12 is {@code TestPoolSpawn.test_pool_full}; 13 and 14 are {@code TestNoneSpawn}. The TLS
 * scenarios (16, 17) are not here yet.
 * <p>
 * Every wait is bounded: clients wait {@link Clients#PATIENCE_MILLIS} for what should happen, and
 * only the "not accepted" checks wait the short {@link Clients#SILENCE_MILLIS} for nothing.
 */
@Timeout(60)
class GeventScenariosTest {

	private static final String PING = "GET /ping HTTP/1.0\r\n\r\n";

	private static final String ROOT = "GET / HTTP/1.0\r\n\r\n";

	private static final Duration PATIENCE = Duration.ofMillis(Clients.PATIENCE_MILLIS);

	private static final AtomicInteger serverIds = new AtomicInteger();

	private final RecordingListener events = new RecordingListener();

	/** Clients and listeners too: clients close before their server stops, listeners after it. */
	@RegisterExtension
	final Servers servers = new Servers().reportingTo(this.events).stoppingWithin(Duration.ofSeconds(1));

	/** The handler errors the servers log. */
	@RegisterExtension
	final LogCapture log = new LogCapture(BaseServer.class);

	// ---- scenarios 1-11, once per spawn ----

	/** Scenario 1, {@code test_backlog_is_not_accepted_for_socket}: a bound listener takes no backlog. */
	@Spawns.All
	void backlogIsNotAcceptedForSocket(Supplier<Spawn> spawn) throws Exception {
		ServerSocketChannel bound = boundListener();
		StreamServer onSocket = onListener(bound, spawn.get());
		assertThatIllegalArgumentException().isThrownBy(() -> onSocket.setBacklog(25))
			.withMessageContaining("backlog");
		assertThat(onSocket.getBacklog()).isEqualTo(StreamServer.DEFAULT_BACKLOG);

		// the other way round: a backlog first, then a bound listener
		StreamServer onAddress = this.servers.track(new StreamServer("127.0.0.1:0", new SimpleHandler(), spawn.get()));
		onAddress.setBacklog(25);
		ServerSocketChannel other = boundListener();
		int otherPort = port(other);
		assertThatIllegalArgumentException().isThrownBy(() -> onAddress.setListener(other))
			.withMessageContaining("backlog");

		// neither refusal broke the server it was asked of
		onSocket.start();
		assertThat(onSocket.getServerPort()).isEqualTo(port(bound));
		assertRequestSucceeded(onSocket.getServerPort());
		onSocket.stop();

		onAddress.start();
		assertThat(onAddress.getServerPort()).isNotZero().isNotEqualTo(otherPort);
		assertRequestSucceeded(onAddress.getServerPort());
		onAddress.stop();
		assertRefused(onAddress.getServerPort());
	}

	/** Scenario 2, {@code test_backlog_is_accepted_for_address}. */
	@Spawns.All
	void backlogIsAcceptedForAddress(Supplier<Spawn> spawn) throws Exception {
		int port = freePort();
		StreamServer server = onPort(port, spawn.get());
		server.setBacklog(25);
		assertThat(server.getBacklog()).isEqualTo(25);
		assertRefused(port);

		server.start();
		assertThat(server.getServerPort()).isEqualTo(port);
		assertRequestSucceeded(port);
		assertRequestSucceeded(port);

		server.stop();
		assertRefused(port);
	}

	/** Scenario 3, {@code test_subclass_just_create}: a server on a bound listener that never starts. */
	@Spawns.All
	void createdOnBoundListenerButNotStarted(Supplier<Spawn> spawn) throws Exception {
		ServerSocketChannel bound = boundListener();
		StreamServer server = onListener(bound, spawn.get());

		assertThat(server.isStarted()).isFalse();
		assertThat(server.isClosed()).isFalse();
		assertThat(Clients.isRefused(port(bound))).as("refused on a bound listener").isFalse();
		assertNotAccepted(server);
		assertThat(bound.isOpen()).isTrue();
	}

	/** Scenario 4, {@code test_subclass_with_socket}. */
	@Spawns.All
	void serverOnBoundListenerStartsPausesResumesAndStops(Supplier<Spawn> spawn) throws Exception {
		ServerSocketChannel bound = boundListener();
		StreamServer server = onListener(bound, spawn.get());

		// the listener exists, so connecting works, but nobody accepts
		assertNotAccepted(server);

		startStop(server, bound.socket().getLocalPort());
		assertThat(bound.isOpen()).as("stop() closes the listener it was given").isFalse();
	}

	/** Scenario 5, {@code test_subclass_with_address}. */
	@Spawns.All
	void serverOnAddressStartsPausesResumesAndStops(Supplier<Spawn> spawn) throws Exception {
		int port = freePort();
		StreamServer server = onPort(port, spawn.get());

		assertRefused(port);
		startStop(server, port);
	}

	/** Scenario 6, {@code test_invalid_callback}: a handler of the wrong shape fails, once, and the server goes on. */
	@Spawns.All
	void handlerOfWrongShapeFailsOnceAndServerKeepsRunning(Supplier<Spawn> spawn) throws Exception {
		invalidCallback(spawn.get());
	}

	/** Scenario 7, {@code test_serve_forever}. */
	@Spawns.All
	void serveForeverInAnotherThread(Supplier<Spawn> spawn) throws Exception {
		int port = freePort();
		StreamServer server = onPort(port, spawn.get());
		server.setName("scenario7-" + serverIds.incrementAndGet());
		assertThat(server.isStarted()).isFalse();
		assertRefused(port);

		AtomicReference<Throwable> failure = new AtomicReference<>();
		Thread serving = serveForeverIn(server, failure);
		await().atMost(PATIENCE).until(server::isStarted);
		assertThat(acceptThreads(server)).isEqualTo(1);

		serveForeverUntilStopped(server, port, serving, failure);
	}

	/** Scenario 8, {@code test_serve_forever_after_start}: serveForever does not start a started server again. */
	@Spawns.All
	void serveForeverAfterStart(Supplier<Spawn> spawn) throws Exception {
		int port = freePort();
		StreamServer server = onPort(port, spawn.get());
		server.setName("scenario8-" + serverIds.incrementAndGet());
		assertRefused(port);
		assertThat(server.isStarted()).isFalse();
		server.start();
		assertThat(server.isStarted()).isTrue();
		assertThat(acceptThreads(server)).isEqualTo(1);

		AtomicReference<Throwable> failure = new AtomicReference<>();
		Thread serving = serveForeverIn(server, failure);
		// parked in serveForever's wait for the server to close: past its start()
		await().atMost(PATIENCE).until(() -> serving.getState() == Thread.State.WAITING || !serving.isAlive());
		assertThat(failure.get()).as("serveForever on a started server").isNull();
		assertThat(serving.isAlive()).isTrue();
		assertThat(server.getServerPort()).isEqualTo(port);
		assertThat(acceptThreads(server)).as("accept threads after serveForever").isEqualTo(1);

		serveForeverUntilStopped(server, port, serving, failure);
	}

	/** Scenario 9, {@code test_server_closes_client_sockets}: a handler that returns at once. */
	@Spawns.All
	void serverClosesClientSocketWhenHandlerReturns(Supplier<Spawn> spawn) throws Exception {
		StreamServer server = this.servers.track(new StreamServer("127.0.0.1:0", (connection) -> {
		}, spawn.get()));
		server.start();
		int port = server.getServerPort();

		Socket client = connect(port);
		send(client, ROOT);
		// the request is left unread, so the close may come as a reset: closed all the same
		assertThat(Clients.isClosedWithoutData(client)).as("closed by the server without an answer").isTrue();

		server.stop();
		assertRefused(port);
		assertThat(this.events.outcomes).containsExactly(HandlerOutcome.SUCCESS);
	}

	/** Scenario 10, {@code test_error_in_spawn}: the spawn throws; the client is closed, the error reported once. */
	@Spawns.All
	void spawnThatThrowsClosesTheClientAndIsReportedOnce(Supplier<Spawn> spawn) throws Exception {
		RejectedExecutionException error = new RejectedExecutionException("test_error_in_spawn");
		// throws for the first connection only, so that the server can show that it goes on
		FailingExecutor throwing = FailingExecutor.failingFirst(1, error);
		StreamServer server = this.servers.track(new StreamServer("127.0.0.1:0", new SimpleHandler(), spawn.get()));
		Spawn replacement = Spawn.of(throwing);
		server.setSpawn(replacement);
		assertThat(server.getSpawn()).isSameAs(replacement);
		server.start();
		assertThat(server.isStarted()).isTrue();
		int port = server.getServerPort();

		Socket client = connect(port);
		assertThat(client.getInputStream().readAllBytes()).as("bytes before the close").isEmpty();
		await().atMost(PATIENCE).until(() -> this.events.spawnErrors.size() >= 1);

		// the failed spawn paused accepting for a moment only
		assertThat(server.isStarted()).isTrue();
		assertThat(server.getFatalError()).isNull();
		assertRequestSucceeded(port);

		server.stop();
		assertThat(this.events.spawnErrors).hasSize(1);
		assertThat(this.events.spawnErrors.get(0)).isSameAs(error);
		assertThat(this.events.rejected).hasValue(1);
		assertThat(this.events.accepted).hasValue(2);
		assertThat(this.events.acceptErrors).isEmpty();
		assertThat(this.events.outcomes).containsExactly(HandlerOutcome.SUCCESS);
		assertThat(throwing.executed).hasValue(1);
	}

	/** Scenario 11, {@code test_server_repr_when_handle_is_instancemethod}: toString shows the handler. */
	@Spawns.All
	void toStringShowsTheHandler(Supplier<Spawn> spawn) throws Exception {
		SimpleHandler simple = new SimpleHandler();
		StreamServer server = this.servers.track(new StreamServer("127.0.0.1:0", simple, spawn.get()));
		server.start();
		assertThat(server.isStarted()).isTrue();
		String address = "127.0.0.1:" + server.getServerPort();
		assertThat(server.toString()).isEqualTo("<StreamServer address=" + address + " handle=SimpleHandler>");

		Handler boundMethod = simple::handle;
		server.setHandle(boundMethod);
		assertThat(server.toString()).isEqualTo("<StreamServer address=" + address + " handle=" + boundMethod + ">");

		Handler otherObjectsMethod = this::ignore;
		server.setHandle(otherObjectsMethod);
		assertThat(server.toString())
			.isEqualTo("<StreamServer address=" + address + " handle=" + otherObjectsMethod + ">");

		Handler lambda = (connection) -> {
		};
		server.setHandle(lambda);
		assertThat(server.toString()).isEqualTo("<StreamServer address=" + address + " handle=" + lambda + ">");
	}

	// ---- scenario 12: a pool of two ----

	/** Scenario 12, {@code TestPoolSpawn.test_pool_full}. */
	@Test
	void fullPoolLeavesClientsInTheBacklogAndResumesWhenASlotFrees() throws Exception {
		StreamServer server = this.servers.track(new StreamServer("127.0.0.1:0", new SimpleHandler(), Spawn.pool(2)));
		server.start();
		int port = server.getServerPort();

		Socket longRequest = connect(port);
		Socket shortRequest = connect(port);
		send(shortRequest, "GET /short HTTP/1.0\r\n\r\n");
		send(longRequest, "GET /long HTTP/1.0\r\n\r\n");
		// each handler answers, then holds its slot until its client closes
		assertThat(read(shortRequest, 5)).isEqualTo("hello");
		assertThat(read(longRequest, 5)).isEqualTo("hello");
		assertThat(server.isFull()).isTrue();
		assertThat(server.getPool().activeCount()).isEqualTo(2);
		await().atMost(PATIENCE).until(() -> this.events.saturated.get() >= 1);

		for (int i = 0; i < 3; i++) {
			try (Socket waiting = connect(port)) {
				send(waiting, PING);
				assertThat(Clients.isSilent(waiting)).as("client %d while the pool is full", i + 1).isTrue();
			}
		}
		assertThat(this.events.accepted).as("accepted while full").hasValue(2);
		assertThat(this.events.saturated).hasValue(1);
		assertThat(server.isFull()).isTrue();

		longRequest.close();
		shortRequest.close();
		// no timer resumes accepting: only the freed slots do; the three waiting ones go first
		assertRequestSucceeded(port);
		assertThat(this.events.accepted).hasValue(6);
		assertThat(this.events.rejected).hasValue(0);
	}

	// ---- scenarios 13-14: inline spawn ----

	/** Scenario 13, {@code TestNoneSpawn.test_invalid_callback}: as scenario 6, inline. */
	@Test
	void inlineHandlerOfWrongShapeFailsOnceAndServerKeepsRunning() throws Exception {
		invalidCallback(Spawn.NONE);
	}

	/**
	 * Scenario 14, {@code TestNoneSpawn.test_assertion_in_blocking_func}: an error thrown by an
	 * inline handler (gevent's AssertionError on blocking in the loop) is reported and the client
	 * closed; the accept thread that ran it survives.
	 */
	@Test
	void errorInInlineHandlerIsReportedAndClientClosed() throws Exception {
		AssertionError error = new AssertionError("Impossible to call blocking function in the event loop callback");
		Handler blocking = (connection) -> {
			InputStream in = connection.getInputStream();
			Clients.readLine(in);
			readHeaders(in);
			throw error;
		};
		handlerErrorIsReportedOnceAndServerGoesOn(blocking, Spawn.NONE, ROOT, AssertionError.class);
	}

	// ---- shared steps ----

	/** gevent's {@code _test_server_start_stop(restartable=True)}. */
	private void startStop(StreamServer server, int port) throws Exception {
		server.start();
		assertThat(server.isStarted()).isTrue();
		assertThat(server.getServerPort()).isEqualTo(port);
		assertRequestSucceeded(port);
		assertRequestSucceeded(port);

		server.stopAccepting();
		assertThat(server.isAccepting()).isFalse();
		assertThat(server.isStarted()).as("started while paused").isTrue();
		assertNotAccepted(server);

		server.startAccepting();
		assertThat(server.isAccepting()).isTrue();
		assertRequestSucceeded(port);

		server.stop();
		assertThat(server.isStarted()).isFalse();
		assertThat(server.isClosed()).isTrue();
		assertRefused(port);
	}

	/** gevent's {@code _test_invalid_callback}: the handler cannot take what it is given. */
	private void invalidCallback(Spawn spawn) throws Exception {
		// Java's TypeError: the handler treats the connection as something it is not
		Handler wrongShape = (connection) -> ((Runnable) (Object) connection).run();
		handlerErrorIsReportedOnceAndServerGoesOn(wrongShape, spawn, null, ClassCastException.class);
	}

	/**
	 * A client whose handler fails is closed without an answer, the error is reported once, and
	 * the server keeps running: with a working handler, the next request succeeds.
	 * @param request what the client sends first, or {@code null} for nothing
	 */
	private void handlerErrorIsReportedOnceAndServerGoesOn(Handler failing, Spawn spawn, String request,
			Class<? extends Throwable> reported) throws Exception {
		StreamServer server = this.servers.start(new StreamServer("127.0.0.1:0", failing, spawn));
		int port = server.getServerPort();

		Socket client = connect(port);
		if (request != null) {
			send(client, request);
		}
		assertThat(client.getInputStream().readAllBytes()).as("bytes before the close").isEmpty();
		await().atMost(PATIENCE).until(() -> this.events.outcomes.size() >= 1);

		// the server keeps running
		assertThat(server.isStarted()).isTrue();
		assertThat(server.getFatalError()).isNull();
		server.setHandle(new SimpleHandler());
		assertRequestSucceeded(port);

		server.stop();
		assertThat(this.events.outcomes).containsExactly(HandlerOutcome.ERROR, HandlerOutcome.SUCCESS);
		assertThat(this.events.acceptErrors).isEmpty();
		assertThat(this.events.spawnErrors).isEmpty();
		assertThat(this.events.rejected).hasValue(0);
		assertThat(this.log.reportedErrors()).containsExactly(reported.getName());
	}

	private Thread serveForeverIn(StreamServer server, AtomicReference<Throwable> failure) {
		Thread serving = new Thread(() -> {
			try {
				server.serveForever();
			}
			catch (Throwable ex) {
				failure.set(ex);
			}
		}, server.getName() + "-serve-forever");
		serving.start();
		return serving;
	}

	/** The second half of gevent's {@code _test_serve_forever}. */
	private void serveForeverUntilStopped(StreamServer server, int port, Thread serving,
			AtomicReference<Throwable> failure) throws Exception {
		try {
			assertRequestSucceeded(port);
			server.stop();
			assertThat(server.isStarted()).isFalse();
			assertRefused(port);
		}
		finally {
			server.stop();
			serving.join(PATIENCE.toMillis());
		}
		assertThat(serving.isAlive()).as("serveForever still running after stop()").isFalse();
		assertThat(failure.get()).as("serveForever threw").isNull();
		assertThat(acceptThreads(server)).as("accept threads after stop()").isZero();
	}

	// ---- clients ----

	private void assertRequestSucceeded(int port) throws IOException {
		String answer = Clients.request(port, PING);
		assertThat(answer).startsWith("HTTP/1.0 200 OK").endsWith("\r\n\r\nPONG");
	}

	private static void assertRefused(int port) throws IOException {
		assertThat(Clients.isRefused(port)).as("connection to port %d refused", port).isTrue();
	}

	/**
	 * gevent's {@code assertNotAccepted}: connecting works (the kernel backlog takes it) but a
	 * request gets nothing back, and the server counts no new connection.
	 */
	private void assertNotAccepted(StreamServer server) throws IOException {
		int acceptedBefore = this.events.accepted.get();
		try (Socket client = Clients.connect(port(server))) {
			send(client, PING);
			assertThat(Clients.isSilent(client)).as("a request to a server that does not accept").isTrue();
		}
		assertThat(this.events.accepted.get()).as("connections accepted meanwhile").isEqualTo(acceptedBefore);
	}

	private Socket connect(int port) throws IOException {
		return this.servers.autoClose(Clients.connect(port));
	}

	private static void send(Socket socket, String request) throws IOException {
		OutputStream out = socket.getOutputStream();
		out.write(request.getBytes(StandardCharsets.US_ASCII));
		out.flush();
	}

	private static String read(Socket socket, int length) throws IOException {
		return new String(socket.getInputStream().readNBytes(length), StandardCharsets.US_ASCII);
	}

	// ---- servers and listeners ----

	/** A server of {@link SimpleHandler} on {@code listener}, not started. */
	private StreamServer onListener(ServerSocketChannel listener, Spawn spawn) {
		return this.servers.track(new StreamServer(listener, new SimpleHandler(), spawn));
	}

	/** A server of {@link SimpleHandler} for 127.0.0.1:{@code port}, not started. */
	private StreamServer onPort(int port, Spawn spawn) {
		return this.servers.track(new StreamServer(new InetSocketAddress("127.0.0.1", port), new SimpleHandler(), spawn));
	}

	/** gevent's {@code tcp_listener(backlog=5)}: bound and listening. */
	private ServerSocketChannel boundListener() throws IOException {
		ServerSocketChannel channel = this.servers.autoClose(ServerSocketChannel.open());
		channel.bind(new InetSocketAddress("127.0.0.1", 0), 5);
		return channel;
	}

	private static int port(ServerSocketChannel channel) {
		return channel.socket().getLocalPort();
	}

	private static int port(StreamServer server) {
		return server.getServerPort();
	}

	/** A port nothing listens on, so that "refused before start" means something. */
	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
			return socket.getLocalPort();
		}
	}

	private static long acceptThreads(BaseServer<?, ?> server) {
		String prefix = server.getName() + "[";
		return Thread.getAllStackTraces()
			.keySet()
			.stream()
			.filter((thread) -> thread.isAlive() && thread.getName().startsWith(prefix)
					&& thread.getName().endsWith("-accept"))
			.count();
	}

	private void ignore(Connection connection) {
	}

	private static void readHeaders(InputStream in) throws IOException {
		String line;
		while ((line = Clients.readLine(in)) != null && !line.isEmpty() && !line.equals("\r")) {
			// skip
		}
	}

	/**
	 * gevent's {@code SimpleStreamServer.handle}: {@code /ping} answers PONG; {@code /long} and
	 * {@code /short} send {@code hello}, then read until the client closes. The whole request is
	 * read first, so that closing the connection sends a FIN and not a reset.
	 */
	static final class SimpleHandler implements Handler {

		@Override
		public void handle(Connection connection) throws Exception {
			InputStream in = connection.getInputStream();
			OutputStream out = connection.getOutputStream();
			String requestLine = Clients.readLine(in);
			if (requestLine == null) {
				return;
			}
			readHeaders(in);
			String[] parts = requestLine.split(" ", 3);
			String path = (parts.length > 1) ? parts[1] : "";
			switch (path) {
				case "/ping":
					out.write("HTTP/1.0 200 OK\r\n\r\nPONG".getBytes(StandardCharsets.US_ASCII));
					break;
				case "/long":
				case "/short":
					out.write("hello".getBytes(StandardCharsets.US_ASCII));
					out.flush();
					while (in.read() != -1) {
						// until the client closes
					}
					break;
				default:
					out.write("HTTP/1.0 404 WTF?\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
			}
			out.flush();
		}

		@Override
		public String toString() {
			return "SimpleHandler";
		}

	}

}
