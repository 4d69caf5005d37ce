package dev.gserver;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import javax.net.ssl.SSLSocket;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import static dev.gserver.proxy.ProxyHeaderTest.ascii;
import static dev.gserver.proxy.ProxyHeaderTest.concat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.awaitility.Awaitility.await;

import dev.gserver.proxy.CidrRange;
import dev.gserver.proxy.ProxyProtocol;
import dev.gserver.proxy.ProxyProtocolMode;

/**
 * A server behind a PROXY-protocol load balancer, over real sockets: the handler sees the
 * original client's addresses, and a header that is missing, malformed, too slow or from an
 * untrusted source closes that client only.
 */
@Timeout(60)
class ProxyProtocolServerTest {

	private static final Duration PATIENCE = Duration.ofSeconds(10);

	private static final String V1_TCP4 = "PROXY TCP4 192.0.2.1 198.51.100.2 56324 443\r\n";

	private final ProxyEvents events = new ProxyEvents();

	@RegisterExtension
	final Servers servers = new Servers().reportingTo(this.events);

	/** Answers one line with the addresses it sees and the line it read. */
	private static void addressesAndLine(Connection connection) throws IOException {
		String line = Clients.readLine(connection.getInputStream());
		String reply = Addresses.format(connection.getRemoteAddress()) + " " + Addresses.format(connection.getLocalAddress())
				+ " secure=" + connection.isSecure() + " " + line + "\n";
		connection.getOutputStream().write(reply.getBytes(StandardCharsets.UTF_8));
	}

	private StreamServer start(ProxyProtocolMode mode, String... trusted) throws IOException {
		StreamServer server = new StreamServer("127.0.0.1:0", ProxyProtocolServerTest::addressesAndLine);
		List<CidrRange> ranges = new ArrayList<>();
		for (String range : trusted) {
			ranges.add(CidrRange.parse(range));
		}
		server.setProxyProtocol(ProxyProtocol.of(mode).withTrusted(ranges));
		return this.servers.start(server);
	}

	private static String exchange(int port, byte[] request) throws IOException {
		try (Socket client = Clients.connect(port)) {
			OutputStream out = client.getOutputStream();
			out.write(request);
			out.flush();
			return Clients.readLine(client.getInputStream());
		}
	}

	/**
	 * Sends {@code request} and asserts that the handler saw the connection's own addresses (no
	 * header believed) and read {@code line}.
	 */
	private static void assertServedWithItsOwnAddresses(int port, byte[] request, String line) throws IOException {
		try (Socket client = Clients.connect(port)) {
			client.getOutputStream().write(request);
			assertThat(Clients.readLine(client.getInputStream()))
				.isEqualTo("127.0.0.1:" + client.getLocalPort() + " 127.0.0.1:" + port + " secure=false " + line);
		}
	}

	/** Sends {@code request} and returns whether the server closed the connection without a reply (not {@link Clients#isRefused}: the connection was accepted). */
	private static boolean closesUnanswered(int port, byte[] request) throws IOException {
		try (Socket client = Clients.connect(port)) {
			client.getOutputStream().write(request);
			return Clients.isClosedWithoutData(client);
		}
	}

	@Test
	void v1HeaderGivesTheOriginalClientAddresses() throws Exception {
		StreamServer server = start(ProxyProtocolMode.REQUIRED);
		assertThat(exchange(server.getServerPort(), ascii(V1_TCP4 + "hello\n")))
			.isEqualTo("192.0.2.1:56324 198.51.100.2:443 secure=false hello");
		assertThat(this.events.proxyRejections).isEmpty();
	}

	@Test
	void v2HeaderWithTlvsGivesTheOriginalIpv6ClientAddresses() throws Exception {
		StreamServer server = start(ProxyProtocolMode.REQUIRED, "127.0.0.1/32");
		byte[] header = v2Tcp6("2001:db8::1", "2001:db8::2", 40000, 6379);
		assertThat(exchange(server.getServerPort(), concat(header, ascii("hi\n"))))
			.isEqualTo("[2001:db8::1]:40000 [2001:db8::2]:6379 secure=false hi");
	}

	@Test
	void localCommandKeepsTheSocketAddresses() throws Exception {
		StreamServer server = start(ProxyProtocolMode.REQUIRED);
		byte[] local = dev.gserver.proxy.ProxyHeaderTest.v2(0x20, 0x00, new byte[0]);
		assertServedWithItsOwnAddresses(server.getServerPort(), concat(local, ascii("health\n")), "health");
	}

	@Test
	void missingHeaderWhenRequiredClosesThatClientOnly() throws Exception {
		StreamServer server = start(ProxyProtocolMode.REQUIRED);
		int port = server.getServerPort();
		try (Socket direct = Clients.connect(port)) {
			direct.getOutputStream().write(ascii("*1\r\n$4\r\nPING\r\n"));
			assertThat(Clients.isClosedWithoutData(direct)).isTrue();
		}
		await().atMost(PATIENCE).until(() -> !this.events.proxyRejections.isEmpty());
		assertThat(this.events.proxyRejections).containsExactly("missing");
		assertThat(exchange(port, ascii(V1_TCP4 + "next\n"))).endsWith(" next");
		assertThat(this.events.started).hasValue(1);
	}

	@Test
	void malformedOversizedAndSlowHeadersAreRefusedWithTheirReason() throws Exception {
		StreamServer server = start(ProxyProtocolMode.REQUIRED);
		server.setProxyProtocol(server.getProxyProtocol().withTimeout(Duration.ofMillis(200)));
		int port = server.getServerPort();
		assertThat(closesUnanswered(port, ascii("PROXY TCP4 192.0.2.1 not-an-ip 1 2\r\nx\n"))).isTrue();
		assertThat(closesUnanswered(port, ascii("PROXY TCP4 " + "1".repeat(200) + "\r\n"))).isTrue();
		try (Socket slow = Clients.connect(port)) {
			slow.getOutputStream().write(ascii("PROXY TCP4 192.0.2.1"));
			assertThat(Clients.isClosedWithoutData(slow)).isTrue();
		}
		await().atMost(PATIENCE).until(() -> this.events.proxyRejections.size() == 3);
		assertThat(this.events.proxyRejections).containsExactlyInAnyOrder("malformed", "oversized", "timeout");
		assertThat(this.events.started).hasValue(0);
	}

	/**
	 * The timeout bounds the whole header: a header trickled a byte every 100 ms (each read well
	 * within 500 ms) is cut at 500 ms, not read on for the 4 s it would take.
	 */
	@Test
	void aTrickledHeaderIsCutAtTheTimeoutHoweverItsBytesArePaced() throws Exception {
		StreamServer server = start(ProxyProtocolMode.REQUIRED);
		server.setProxyProtocol(server.getProxyProtocol().withTimeout(Duration.ofMillis(500)));
		byte[] header = ascii(V1_TCP4);
		long started = System.nanoTime();
		try (Socket trickling = Clients.connect(server.getServerPort())) {
			java.io.OutputStream out = trickling.getOutputStream();
			try {
				for (byte b : header) {
					out.write(b);
					out.flush();
					Thread.sleep(100); // pacing the slow client under test, not synchronisation
				}
			}
			catch (java.io.IOException ex) {
				// the server closed the connection under the writes: what is expected
			}
			await().atMost(PATIENCE).until(() -> !this.events.proxyRejections.isEmpty());
		}
		long tookMillis = Duration.ofNanos(System.nanoTime() - started).toMillis();
		assertThat(this.events.proxyRejections).containsExactly("timeout");
		// 45 bytes at 100 ms each would take 4.5 s to arrive
		assertThat(tookMillis).isLessThan(4_000);
		assertThat(this.events.started).hasValue(0);
	}

	@Test
	void optionalHeaderMayBeAbsentAndTheBytesReadLookingForItReachTheHandler() throws Exception {
		StreamServer server = start(ProxyProtocolMode.OPTIONAL);
		int port = server.getServerPort();
		// "PR..." starts like a v1 header until the "I" rules it out: the handler still reads all of it
		assertServedWithItsOwnAddresses(port, ascii("PRINT me\n"), "PRINT me");
		assertThat(exchange(port, ascii(V1_TCP4 + "with\n"))).startsWith("192.0.2.1:56324 ");
		assertThat(this.events.proxyRejections).isEmpty();
	}

	@Test
	void headerFromAnUntrustedSourceIsNotBelieved() throws Exception {
		StreamServer optional = start(ProxyProtocolMode.OPTIONAL, "10.0.0.0/8", "::1/128");
		// the forged header is data: the handler reads it as its line, from the real peer
		assertServedWithItsOwnAddresses(optional.getServerPort(), ascii(V1_TCP4), V1_TCP4.replace("\n", ""));
		StreamServer required = start(ProxyProtocolMode.REQUIRED, "10.0.0.0/8");
		assertThat(closesUnanswered(required.getServerPort(), ascii(V1_TCP4 + "forged\n"))).isTrue();
		await().atMost(PATIENCE).until(() -> !this.events.proxyRejections.isEmpty());
		assertThat(this.events.proxyRejections).containsExactly("untrusted");
	}

	@Test
	void headerComesBeforeTheTlsHandshake() throws Exception {
		TestCertificates certificates = TestCertificates.create();
		StreamServer server = new StreamServer("127.0.0.1:0", ProxyProtocolServerTest::addressesAndLine);
		server.setSslContext(certificates.serverContext());
		server.setProxyProtocol(ProxyProtocol.of(ProxyProtocolMode.OPTIONAL));
		this.servers.start(server);
		int port = server.getServerPort();
		try (Socket plain = Clients.connect(port)) {
			plain.getOutputStream().write(ascii(V1_TCP4));
			SSLSocket tls = (SSLSocket) certificates.clientContext().getSocketFactory().createSocket(plain, "127.0.0.1", port, true);
			tls.getOutputStream().write(ascii("over tls\n"));
			assertThat(Clients.readLine(tls.getInputStream()))
				.isEqualTo("192.0.2.1:56324 198.51.100.2:443 secure=true over tls");
		}
		// optional and absent: the byte that ruled out a header is the first of the handshake
		try (SSLSocket tls = TestCertificates.connect(certificates.clientContext(), port, PATIENCE)) {
			tls.getOutputStream().write(ascii("direct\n"));
			assertThat(Clients.readLine(tls.getInputStream())).endsWith(" secure=true direct").startsWith("127.0.0.1:");
		}
	}

	@Test
	void aUnixSocketListenerRefusesTheProxyProtocol(@TempDir Path directory) {
		StreamServer server = new StreamServer("unix:" + directory.resolve("s.sock"), Handlers::pong);
		server.setProxyProtocol(ProxyProtocol.of(ProxyProtocolMode.REQUIRED));
		this.servers.track(server);
		assertThatIllegalStateException().isThrownBy(server::start).withMessageContaining("PROXY protocol needs a TCP listener");
		assertThat(Files.exists(directory.resolve("s.sock"))).isFalse();
	}

	/** A v2 PROXY TCP over IPv6 header with one TLV after the addresses, as HAProxy may send. */
	private static byte[] v2Tcp6(String source, String destination, int sourcePort, int destinationPort)
			throws IOException {
		ByteArrayOutputStream body = new ByteArrayOutputStream();
		body.write(java.net.InetAddress.getByName(source).getAddress());
		body.write(java.net.InetAddress.getByName(destination).getAddress());
		body.write(new byte[] { (byte) (sourcePort >> 8), (byte) sourcePort, (byte) (destinationPort >> 8),
				(byte) destinationPort });
		// PP2_TYPE_UNIQUE_ID, 3 bytes
		body.write(new byte[] { 0x05, 0x00, 0x03, 'a', 'b', 'c' });
		return dev.gserver.proxy.ProxyHeaderTest.v2(0x21, 0x21, body.toByteArray());
	}

	/** Also records each refused header's reason. */
	static final class ProxyEvents extends RecordingListener {

		final List<String> proxyRejections = new CopyOnWriteArrayList<>();

		@Override
		public void proxyHeaderRejected(String reason) {
			this.proxyRejections.add(reason);
		}

	}

}
