package dev.gserver;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import javax.net.ssl.SSLSocket;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.awaitility.Awaitility.await;

import dev.gserver.proxy.CidrRange;
import dev.gserver.proxy.ProxyProtocol;
import dev.gserver.proxy.ProxyProtocolMode;

/**
 * {@link StreamServer#setMaxConnectionsPerAddress(int)} over real sockets: a connection over its
 * address's cap is closed unhandled and counted, other addresses are still served, the address is
 * the PROXY header's, a capped TLS client costs no handshake, and every slot is given back, by
 * connections that end, that were refused, or that a stop killed.
 */
@Timeout(60)
class MaxConnectionsPerAddressTest {

	private static final Duration PATIENCE = Duration.ofMillis(Clients.PATIENCE_MILLIS);

	private final CapEvents events = new CapEvents();

	@RegisterExtension
	final Servers servers = new Servers().reportingTo(this.events);

	@TempDir
	Path directory;

	/** How many times the handler ran: a refused connection must never get there. */
	private final AtomicInteger handlerRuns = new AtomicInteger();

	/** Greets with the client's address as the handler sees it, then echoes lines. */
	private void greetAndEcho(Connection connection) throws Exception {
		this.handlerRuns.incrementAndGet();
		String greeting = Addresses.format(connection.getRemoteAddress()) + "\n";
		connection.getOutputStream().write(greeting.getBytes(StandardCharsets.UTF_8));
		Handlers.echoLines(connection);
	}

	private StreamServer start(int cap) throws IOException {
		StreamServer server = new StreamServer("127.0.0.1:0", this::greetAndEcho);
		server.setMaxConnectionsPerAddress(cap);
		return this.servers.start(server);
	}

	/** A server behind a PROXY-protocol balancer on 127.0.0.1: the addresses capped are the headers'. */
	private StreamServer startBehindProxy(int cap) throws IOException {
		StreamServer server = new StreamServer("127.0.0.1:0", this::greetAndEcho);
		server.setProxyProtocol(ProxyProtocol.of(ProxyProtocolMode.REQUIRED).withTrusted(List.of(CidrRange.parse("127.0.0.1/32"))));
		server.setMaxConnectionsPerAddress(cap);
		return this.servers.start(server);
	}

	/** Connects through the "balancer" as a client from {@code source}, port {@code sourcePort}. */
	private Socket proxied(int port, String source, int sourcePort) throws IOException {
		Socket client = this.servers.autoClose(Clients.connect(port));
		String header = "PROXY TCP4 " + source + " 10.0.0.2 " + sourcePort + " 80\r\n";
		OutputStream out = client.getOutputStream();
		out.write(header.getBytes(StandardCharsets.US_ASCII));
		out.flush();
		return client;
	}

	/** Connects directly, and waits for the greeting: the connection is counted once this returns. */
	private Socket served(int port) throws IOException {
		Socket client = this.servers.autoClose(Clients.connect(port));
		assertThat(Clients.readLine(client.getInputStream())).startsWith("127.0.0.1:");
		return client;
	}

	@Test
	void aThirdConnectionFromOneAddressIsClosedUnhandledWhileAnotherAddressIsServed() throws Exception {
		StreamServer server = startBehindProxy(2);
		int port = server.getServerPort();
		Socket first = proxied(port, "10.0.0.1", 1234);
		assertThat(Clients.readLine(first.getInputStream())).isEqualTo("10.0.0.1:1234");
		// another port of the same address is the same client
		Socket second = proxied(port, "10.0.0.1", 1235);
		assertThat(Clients.readLine(second.getInputStream())).isEqualTo("10.0.0.1:1235");

		Socket third = proxied(port, "10.0.0.1", 1236);
		assertThat(Clients.isClosedWithoutData(third)).isTrue();
		Socket other = proxied(port, "10.0.0.3", 1234);
		assertThat(Clients.readLine(other.getInputStream())).isEqualTo("10.0.0.3:1234");
		// the two first are still served
		assertThat(Clients.echoLine(first, "still here")).isEqualTo("still here");
		assertThat(Clients.echoLine(second, "me too")).isEqualTo("me too");

		assertThat(this.events.rejectedReasons).containsExactly(ServerEventListener.REJECTED_PER_ADDRESS);
		assertThat(server.getRejectedPerAddressCount()).isEqualTo(1);
		assertThat(server.getRejectedCount()).isEqualTo(1);
		assertThat(this.handlerRuns).hasValue(3);
		assertThat(this.events.started).hasValue(3);
		AddressLimit limit = server.addressLimit();
		assertThat(limit.openConnections(InetAddress.getByName("10.0.0.1"))).isEqualTo(2);
		assertThat(limit.openConnections(InetAddress.getByName("10.0.0.3"))).isEqualTo(1);
		// the balancer's own address is not the one counted
		assertThat(limit.openConnections(InetAddress.getByName("127.0.0.1"))).isZero();

		for (Socket client : List.of(first, second, other)) {
			client.close();
		}
		await().atMost(PATIENCE).until(() -> server.getActiveConnections() == 0);
		assertThat(limit.addresses()).isZero();
	}

	@Test
	void aSlotFreesWhenAConnectionCloses() throws Exception {
		StreamServer server = start(1);
		int port = server.getServerPort();
		Socket first = served(port);
		try (Socket refused = Clients.connect(port)) {
			assertThat(Clients.isClosedWithoutData(refused)).isTrue();
		}
		await().atMost(PATIENCE).until(() -> server.getRejectedPerAddressCount() == 1);
		first.close();
		// the slot is given back as the connection closes, before its handler counts as ended
		await().atMost(PATIENCE).until(() -> server.getActiveConnections() == 0);
		Socket next = served(port);
		assertThat(Clients.echoLine(next, "admitted")).isEqualTo("admitted");
		assertThat(server.addressLimit().openConnections(InetAddress.getByName("127.0.0.1"))).isEqualTo(1);
		next.close();
		await().atMost(PATIENCE).until(() -> server.getActiveConnections() == 0);
		assertThat(server.addressLimit().addresses()).isZero();
		assertThat(server.getRejectedPerAddressCount()).isEqualTo(1);
		assertThat(this.handlerRuns).hasValue(2);
	}

	@Test
	void stopGivesBackTheSlotsOfTheConnectionsItKills() throws Exception {
		// a handler that ends only when killed: the end of its input does not end it
		StreamServer server = new StreamServer("127.0.0.1:0", (connection) -> {
			connection.getOutputStream().write((Addresses.format(connection.getRemoteAddress()) + "\n").getBytes(StandardCharsets.UTF_8));
			new CountDownLatch(1).await();
		});
		server.setMaxConnectionsPerAddress(2);
		int port = this.servers.start(server).getServerPort();
		served(port);
		served(port);
		try (Socket refused = Clients.connect(port)) {
			assertThat(Clients.isClosedWithoutData(refused)).isTrue();
		}
		assertThat(server.addressLimit().openConnections(InetAddress.getByName("127.0.0.1"))).isEqualTo(2);
		// the clients stay open: the handlers wait until the stop kills them
		server.stop(Duration.ZERO);
		assertThat(server.getActiveConnections()).isZero();
		assertThat(this.events.outcomes).containsOnly(ServerEventListener.HandlerOutcome.KILLED).hasSize(2);
		assertThat(server.addressLimit().addresses()).isZero();
	}

	@Test
	void aCappedTlsClientNeverReachesTheHandshake() throws Exception {
		TestCertificates certificates = TestCertificates.create();
		StreamServer server = new StreamServer("127.0.0.1:0", this::greetAndEcho);
		server.setSslContext(certificates.serverContext());
		server.setMaxConnectionsPerAddress(1);
		int port = this.servers.start(server).getServerPort();
		try (SSLSocket first = TestCertificates.connect(certificates.clientContext(), port, PATIENCE)) {
			assertThat(Clients.readLine(first.getInputStream())).startsWith("127.0.0.1:");
			assertThat(this.events.handshakes).hasValue(1);

			IOException refused = TestCertificates.failHandshake(certificates.clientContext(), port, PATIENCE);
			assertThat(refused).isNotNull();
			await().atMost(PATIENCE).until(() -> server.getRejectedPerAddressCount() == 1);
			// refused before its handshake began: no handshake counted, none failed
			assertThat(this.events.handshakes).hasValue(1);
			assertThat(this.events.tlsFailures).isEmpty();
			assertThat(Clients.echoLine(first, "secure still")).isEqualTo("secure still");
		}
		await().atMost(PATIENCE).until(() -> server.getActiveConnections() == 0);
		assertThat(server.addressLimit().addresses()).isZero();
		assertThat(this.handlerRuns).hasValue(1);
	}

	@Test
	void unixSocketClientsAreNeverCapped() throws Exception {
		Path file = this.directory.resolve("capped.sock");
		StreamServer server = new StreamServer("unix:" + file, Handlers::echoLines);
		server.setMaxConnectionsPerAddress(1);
		this.servers.start(server);
		try (SocketChannel first = SocketChannel.open(UnixDomainSocketAddress.of(file));
				SocketChannel second = SocketChannel.open(UnixDomainSocketAddress.of(file))) {
			assertThat(echo(first, "one")).isEqualTo("one");
			assertThat(echo(second, "two")).isEqualTo("two");
		}
		assertThat(server.getRejectedCount()).isZero();
		assertThat(server.addressLimit().addresses()).isZero();
	}

	@Test
	void noCapByDefaultAndNoneCounted() throws Exception {
		StreamServer server = this.servers.start(new StreamServer("127.0.0.1:0", this::greetAndEcho));
		assertThat(server.getMaxConnectionsPerAddress()).isZero();
		int port = server.getServerPort();
		for (int i = 0; i < 3; i++) {
			served(port);
		}
		assertThat(server.addressLimit().addresses()).isZero();
		assertThat(server.getRejectedCount()).isZero();
	}

	@Test
	void aNegativeCapIsRefusedNamingTheSetting() {
		StreamServer server = new StreamServer("127.0.0.1:0", this::greetAndEcho);
		assertThatIllegalArgumentException().isThrownBy(() -> server.setMaxConnectionsPerAddress(-1))
			.withMessageContaining("maxConnectionsPerAddress")
			.withMessageContaining("0 (no cap) or positive");
	}

	private static String echo(SocketChannel channel, String line) throws IOException {
		OutputStream out = Channels.newOutputStream(channel);
		out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
		InputStream in = Channels.newInputStream(channel);
		return Clients.readLine(in);
	}

	/** Also counts TLS handshakes, and records failed ones. */
	static final class CapEvents extends RecordingListener {

		final AtomicInteger handshakes = new AtomicInteger();

		final List<String> tlsFailures = new java.util.concurrent.CopyOnWriteArrayList<>();

		@Override
		public void tlsHandshakeFinished(boolean succeeded, long durationNanos) {
			this.handshakes.incrementAndGet();
		}

		@Override
		public void tlsHandshakeFailed(String reason) {
			this.tlsFailures.add(reason);
		}

	}

}
