package dev.gserver;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.gserver.ServerEventListener.HandlerOutcome;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Spec, behaviour 5: "Nothing leaks: no thread, no file descriptor." Many short connections and
 * a stop (graceful, or killing blocked handlers) must leave the JVM with the threads and the
 * process with the file descriptors it had before the server started.
 * <p>
 * Descriptors are counted in {@code /proc/self/fd} (Linux). Platform threads are compared with
 * {@link Thread#getAllStackTraces()}; virtual threads (Java 21+) are not listed there, so every
 * thread that ran a handler is also recorded by the handler itself and must have terminated. The
 * baseline is taken after a warm-up server (short connections and a kill), because class loading
 * and JDK internals (NIO's pre-close descriptor, virtual-thread pollers) appear once per JVM.
 */
@Timeout(60)
class ResourceLeakTest {

	private static final int CONNECTIONS = 10_000;

	private static final int CLIENT_THREADS = 8;

	private static final int WARM_UP_CONNECTIONS = 200;

	private static final int WARM_UP_BLOCKED = 5;

	private static final int BLOCKED_CLIENTS = 50;

	/** How long lazily released threads and descriptors get to go away. */
	private static final Duration SETTLE = Duration.ofSeconds(10);

	private static final Path FDS = Path.of("/proc/self/fd");

	@RegisterExtension
	final Servers servers = new Servers();

	/** What the servers of the test proper (not of its warm-up) report. */
	private final RecordingListener events = new RecordingListener();

	/** The threads that ran the handlers of the test proper. */
	private final HandlerThreads handlerThreads = new HandlerThreads();

	@Spawns.Concurrent
	void tenThousandShortConnectionsLeaveNoThreadOrDescriptor(Supplier<Spawn> spawn) throws Exception {
		Snapshot baseline = warmUp(spawn);
		StreamServer server = newServer("leak-short", Handlers::echoLines, spawn.get());
		// stop() returns as soon as the handlers are done; the margin only guards a loaded machine
		server.setStopTimeout(Duration.ofSeconds(5));
		server.start();
		int port = server.getServerPort();

		int echoed = shortConnections(port, CONNECTIONS);
		server.stop();

		assertThat(echoed).isEqualTo(CONNECTIONS);
		assertThat(this.events.accepted).hasValue(CONNECTIONS);
		assertThat(this.events.rejected).hasValue(0);
		assertThat(this.handlerThreads.entered).hasValue(CONNECTIONS);
		assertThat(this.events.outcomes).hasSize(CONNECTIONS).containsOnly(HandlerOutcome.SUCCESS);
		assertNothingLeft(server, port, baseline);
	}

	@Spawns.Concurrent
	void stopKillsBlockedHandlersAndLeavesNoThreadOrDescriptor(Supplier<Spawn> spawn) throws Exception {
		Snapshot baseline = warmUp(spawn);
		// a handler that outlives the end of its input too: only a kill ends it
		StreamServer server = newServer("leak-kill", (connection) -> {
			Handlers.echoLines(connection);
			new CountDownLatch(1).await();
		}, spawn.get());
		server.start();
		int port = server.getServerPort();
		List<Socket> clients = new ArrayList<>();
		try {
			for (int i = 0; i < BLOCKED_CLIENTS; i++) {
				clients.add(Clients.connect(port));
			}
			// every handler is blocked reading a line its client never sends, then waits for nothing
			assertThat(this.handlerThreads.awaitEntered(BLOCKED_CLIENTS)).as("all %d handlers running", BLOCKED_CLIENTS)
				.isTrue();
			assertThat(server.getActiveConnections()).isEqualTo(BLOCKED_CLIENTS);

			long begin = System.nanoTime();
			server.stop(Duration.ofMillis(100));
			long stopMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin);

			// it waited the timeout for the handlers before killing them
			assertThat(stopMillis).as("stop(100ms) duration in ms").isGreaterThanOrEqualTo(100);
			assertThat(server.getActiveConnections()).isZero();
			List<String> seen = new ArrayList<>();
			for (Socket client : clients) {
				seen.add(endOfStream(client));
			}
			assertThat(seen).as("what each client saw after stop").hasSize(BLOCKED_CLIENTS)
				.allMatch((end) -> end.equals("EOF") || end.equals("reset"));
		}
		finally {
			for (Socket client : clients) {
				client.close();
			}
		}
		assertThat(this.events.accepted).hasValue(BLOCKED_CLIENTS);
		assertThat(this.events.outcomes).hasSize(BLOCKED_CLIENTS).containsOnly(HandlerOutcome.KILLED);
		assertNothingLeft(server, port, baseline);
	}

	/**
	 * Clients that never read their replies, cut by the write timeout from the server's watchdog
	 * thread: their handlers end, and the stop leaves no thread (the watchdog's included) and no
	 * descriptor behind.
	 */
	@Test
	void connectionsCutByTheWriteTimeoutLeaveNoThreadOrDescriptor() throws Exception {
		Snapshot baseline = warmUp(() -> Spawn.DEFAULT);
		byte[] block = new byte[1024 * 1024];
		StreamServer server = newServer("leak-write", (connection) -> {
			((SocketConnection) connection).getChannel().setOption(java.net.StandardSocketOptions.SO_SNDBUF, 16 * 1024);
			java.io.OutputStream out = connection.getOutputStream();
			for (;;) {
				out.write(block);
			}
		}, Spawn.DEFAULT);
		server.setWriteTimeout(Duration.ofMillis(200));
		server.start();
		int port = server.getServerPort();
		assertThat(threadsNamed("leak-write")).contains("leak-write[127.0.0.1:" + port + "]-deadlines");
		List<Socket> clients = new ArrayList<>();
		try {
			for (int i = 0; i < BLOCKED_CLIENTS; i++) {
				Socket client = new Socket();
				client.setReceiveBufferSize(16 * 1024);
				client.connect(new java.net.InetSocketAddress("127.0.0.1", port), Clients.PATIENCE_MILLIS);
				clients.add(client);
			}
			await().atMost(SETTLE).until(() -> this.events.timedOut.size() == BLOCKED_CLIENTS);
			await().atMost(SETTLE).until(() -> this.events.outcomes.size() == BLOCKED_CLIENTS);
		}
		finally {
			for (Socket client : clients) {
				client.close();
			}
		}
		server.stop();
		assertThat(this.events.timedOut).containsOnly(ServerEventListener.TIMED_OUT_WRITE);
		assertThat(this.events.outcomes).containsOnly(HandlerOutcome.SUCCESS);
		assertNothingLeft(server, port, baseline);
	}

	/**
	 * Runs a throwaway server of the same spawn through short connections and a kill of blocked
	 * handlers, waits until its threads and sockets are gone, and returns what is left: the baseline.
	 */
	private Snapshot warmUp(Supplier<Spawn> spawn) throws Exception {
		HandlerThreads handlerThreads = new HandlerThreads();
		StreamServer server = newServer("leak-warmup", handlerThreads, Handlers::echoLines, spawn.get(),
				new RecordingListener());
		server.start();
		int port = server.getServerPort();
		List<Socket> blocked = new ArrayList<>();
		try {
			assertThat(shortConnections(port, WARM_UP_CONNECTIONS)).isEqualTo(WARM_UP_CONNECTIONS);
			for (int i = 0; i < WARM_UP_BLOCKED; i++) {
				blocked.add(Clients.connect(port));
			}
			assertThat(handlerThreads.awaitEntered(WARM_UP_CONNECTIONS + WARM_UP_BLOCKED)).isTrue();
			server.stop(Duration.ofMillis(10));
			for (Socket client : blocked) {
				assertThat(endOfStream(client)).isIn("EOF", "reset");
			}
		}
		finally {
			server.stop(Duration.ZERO);
			for (Socket client : blocked) {
				client.close();
			}
		}
		settle().untilAsserted(() -> {
			assertThat(handlerThreads.alive()).isEmpty();
			assertThat(threadsNamed(server.getName())).isEmpty();
			assertThat(Snapshot.socketsOn(port)).isEmpty();
		});
		return Snapshot.take();
	}

	private void assertNothingLeft(StreamServer server, int port, Snapshot baseline) {
		assertThat(server.isClosed()).isTrue();
		assertThat(server.getActiveConnections()).isZero();
		settle().untilAsserted(() -> {
			if (server.getPool() != null) {
				assertThat(server.getPool().activeCount()).as("pool slots in use").isZero();
			}
			assertThat(this.handlerThreads.alive()).as("handler threads still alive (virtual ones included)").isEmpty();
			assertThat(threadsNamed(server.getName())).as("threads named after the server").isEmpty();
			assertThat(Snapshot.socketsOn(port)).as("sockets on port %d", port).isEmpty();
			Snapshot now = Snapshot.take();
			assertThat(now.extraThreads(baseline)).as("platform threads that were not there before").isEmpty();
			assertThat(now.fds.size()).as("open descriptors (baseline %d); extra: %s", baseline.fds.size(),
					now.extraDescriptors(baseline))
				.isLessThanOrEqualTo(baseline.fds.size());
		});
	}

	/** A server of the test proper, not started: its handlers and events are recorded in this test's fields. */
	private StreamServer newServer(String name, Handler handler, Spawn spawn) {
		return newServer(name, this.handlerThreads, handler, spawn, this.events);
	}

	private StreamServer newServer(String name, HandlerThreads handlerThreads, Handler handler, Spawn spawn,
			RecordingListener events) {
		StreamServer server = new StreamServer("127.0.0.1:0", handlerThreads.wrap(handler), spawn);
		server.setName(name);
		server.addEventListener(events);
		return this.servers.track(server);
	}

	/**
	 * Makes {@code count} connections from {@link #CLIENT_THREADS} threads: connect, send a line,
	 * read its echo, close. Returns how many echoes came back right; fails on any client error.
	 */
	private static int shortConnections(int port, int count) throws InterruptedException {
		AtomicInteger next = new AtomicInteger();
		AtomicInteger echoed = new AtomicInteger();
		Queue<Throwable> errors = new ConcurrentLinkedQueue<>();
		List<Thread> threads = new ArrayList<>();
		for (int t = 0; t < CLIENT_THREADS; t++) {
			threads.add(new Thread(() -> {
				int i;
				while (errors.isEmpty() && (i = next.getAndIncrement()) < count) {
					String line = "hello " + i;
					try (Socket socket = Clients.connect(port)) {
						String echo = Clients.echoLine(socket, line);
						if (!line.equals(echo)) {
							throw new AssertionError("sent '" + line + "', got back '" + echo + "'");
						}
						echoed.incrementAndGet();
					}
					catch (Throwable ex) {
						errors.add(ex);
					}
				}
			}, "leak-client-" + t));
		}
		threads.forEach(Thread::start);
		Clients.joinAll(threads, Duration.ofSeconds(40));
		assertThat(errors).as("client errors").isEmpty();
		return echoed.get();
	}

	/** Reads what the server sends until it closes: "EOF", "reset", or the unexpected bytes. */
	static String endOfStream(Socket client) {
		try {
			InputStream in = client.getInputStream();
			byte[] data = in.readAllBytes();
			return (data.length == 0) ? "EOF" : "data: " + new String(data, java.nio.charset.StandardCharsets.UTF_8);
		}
		catch (SocketException ex) {
			// "Connection reset": the server closed while bytes were unread, or sent RST
			return "reset";
		}
		catch (IOException ex) {
			return ex.toString();
		}
	}

	private static List<String> threadsNamed(String serverName) {
		return Thread.getAllStackTraces()
			.keySet()
			.stream()
			.filter(Thread::isAlive)
			.map(Thread::getName)
			.filter((name) -> name.startsWith(serverName + "["))
			.collect(Collectors.toList());
	}

	private static ConditionFactory settle() {
		// polled in this thread: Awaitility's own poller thread would count as an extra thread
		return await().atMost(SETTLE).pollInSameThread().pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(20));
	}

	/** Records the threads that run handlers, virtual or not, so that their end can be checked. */
	static final class HandlerThreads {

		final Set<Thread> threads = ConcurrentHashMap.newKeySet();

		final AtomicInteger entered = new AtomicInteger();

		private final Object lock = new Object();

		Handler wrap(Handler handler) {
			return (connection) -> {
				this.threads.add(Thread.currentThread());
				synchronized (this.lock) {
					this.entered.incrementAndGet();
					this.lock.notifyAll();
				}
				handler.handle(connection);
			};
		}

		boolean awaitEntered(int count) throws InterruptedException {
			long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Clients.PATIENCE_MILLIS);
			synchronized (this.lock) {
				while (this.entered.get() < count) {
					long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
					if (left <= 0) {
						return false;
					}
					this.lock.wait(left);
				}
				return true;
			}
		}

		List<String> alive() {
			return this.threads.stream().filter(Thread::isAlive).map(Thread::toString).collect(Collectors.toList());
		}

	}

	/** The process's open descriptors (with what they point to) and the JVM's live platform threads. */
	static final class Snapshot {

		final List<String> fds;

		final Set<Thread> threads;

		private Snapshot(List<String> fds, Set<Thread> threads) {
			this.fds = fds;
			this.threads = threads;
		}

		static Snapshot take() throws IOException {
			Set<Thread> threads = Thread.getAllStackTraces()
				.keySet()
				.stream()
				.filter(Thread::isAlive)
				.collect(Collectors.toSet());
			return new Snapshot(descriptors(), threads);
		}

		/**
		 * Live platform threads that are not in {@code baseline}. The carrier threads of the
		 * virtual-thread scheduler are left out: that pool belongs to the JDK, grows when a virtual
		 * thread blocks in a file write (a log line) and shrinks by itself after a keep-alive.
		 */
		List<String> extraThreads(Snapshot baseline) {
			return this.threads.stream()
				.filter((thread) -> !baseline.threads.contains(thread))
				.filter((thread) -> !thread.getClass().getName().equals("jdk.internal.misc.CarrierThread"))
				.map((thread) -> thread.getName() + " (" + thread.getClass().getName() + ", " + thread.getState() + ")")
				.collect(Collectors.toList());
		}

		/** The descriptor targets present now in more copies than in {@code baseline}. */
		List<String> extraDescriptors(Snapshot baseline) {
			Map<String, Long> before = kinds(baseline.fds);
			List<String> extra = new ArrayList<>();
			kinds(this.fds).forEach((kind, count) -> {
				long more = count - before.getOrDefault(kind, 0L);
				if (more > 0) {
					extra.add(more + " x " + kind);
				}
			});
			return extra;
		}

		private static Map<String, Long> kinds(List<String> fds) {
			// "socket:[123]" and "socket:[456]" are the same kind of thing
			return fds.stream()
				.map((target) -> target.replaceAll("\\[\\d+\\]", "[]"))
				.collect(Collectors.groupingBy((kind) -> kind, Collectors.counting()));
		}

		/** The targets of {@code /proc/self/fd/*}, such as {@code socket:[123]} or a path. */
		static List<String> descriptors() throws IOException {
			List<Path> entries;
			try (Stream<Path> list = Files.list(FDS)) {
				entries = list.collect(Collectors.toList());
			}
			List<String> targets = new ArrayList<>();
			for (Path entry : entries) {
				try {
					targets.add(Files.readSymbolicLink(entry).toString());
				}
				catch (NoSuchFileException ex) {
					// the directory stream of the listing itself, closed since
					targets.add("(closed)");
				}
			}
			return targets;
		}

		/** The open TCP sockets of this process whose local or remote port is {@code port}. */
		static List<String> socketsOn(int port) throws IOException {
			Map<String, String> tcp = new HashMap<>();
			readTcpTable(Path.of("/proc/net/tcp"), port, tcp);
			readTcpTable(Path.of("/proc/net/tcp6"), port, tcp);
			return descriptors().stream()
				.filter((target) -> target.startsWith("socket:["))
				.map((target) -> target.substring("socket:[".length(), target.length() - 1))
				.filter(tcp::containsKey)
				.map(tcp::get)
				.collect(Collectors.toList());
		}

		/** Adds inode -> "local remote state" for the table's sockets that involve {@code port}. */
		private static void readTcpTable(Path table, int port, Map<String, String> into) throws IOException {
			if (!Files.exists(table)) {
				return;
			}
			for (String line : Files.readAllLines(table)) {
				String[] fields = line.trim().split("\\s+");
				if (fields.length < 10 || !fields[1].contains(":") || fields[0].equals("sl")) {
					continue;
				}
				int local = Integer.parseInt(fields[1].substring(fields[1].indexOf(':') + 1), 16);
				int remote = Integer.parseInt(fields[2].substring(fields[2].indexOf(':') + 1), 16);
				if (local == port || remote == port) {
					into.put(fields[9], "local port " + local + " remote port " + remote + " state " + fields[3]);
				}
			}
		}

	}

}
