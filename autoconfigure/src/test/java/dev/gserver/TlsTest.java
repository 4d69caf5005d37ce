package dev.gserver;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.awaitility.Awaitility.await;

/**
 * TLS on a {@link StreamServer}: JSSE clients against an echo handler on 127.0.0.1, with
 * certificates from {@link TestCertificates}; failed handshakes are reported with their reason and
 * never reach the handler.
 */
@Timeout(60)
class TlsTest {

	private static final Duration PATIENCE = Duration.ofMillis(Clients.PATIENCE_MILLIS);

	private static TestCertificates certificates;

	private final TlsEvents events = new TlsEvents();

	@RegisterExtension
	final Servers servers = new Servers().reportingTo(this.events);

	/** How many times the handler ran: a failed handshake must never get there. */
	private final AtomicInteger handlerRuns = new AtomicInteger();

	@BeforeAll
	static void generateCertificates() {
		certificates = TestCertificates.create();
	}

	@Test
	void servesAJsseClientAndTheHandlerSeesTheTlsSession() throws Exception {
		StreamServer server = start(certificates.serverContext(), null);
		assertThat(server.isSecure()).isTrue();
		try (SSLSocket client = tls(certificates.clientContext(), server.getServerPort())) {
			client.startHandshake();
			String protocol = client.getSession().getProtocol();
			assertThat(protocol).isEqualTo("TLSv1.3");
			assertThat(TestCertificates.peerSubject(client)).isEqualTo(TestCertificates.SERVER_SUBJECT);
			assertThat(Clients.readLine(client.getInputStream()))
				.isEqualTo("secure=true protocol=" + protocol + " peer=none");
			assertThat(Clients.echoLine(client, "hello over tls")).isEqualTo("hello over tls");
			assertThat(Clients.echoLine(client, "twice")).isEqualTo("twice");
		}
		stopAndWait(server);
		assertThat(this.handlerRuns).hasValue(1);
		assertThat(this.events.tlsFailures).isEmpty();
		assertThat(this.events.outcomes).containsExactly(ServerEventListener.HandlerOutcome.SUCCESS);
	}

	@Test
	void aPlaintextServerGivesNoSession() throws Exception {
		StreamServer server = start(null, null);
		assertThat(server.isSecure()).isFalse();
		try (Socket client = Clients.connect(server.getServerPort())) {
			assertThat(Clients.readLine(client.getInputStream())).isEqualTo("secure=false protocol=null peer=none");
			assertThat(Clients.echoLine(client, "plain")).isEqualTo("plain");
		}
	}

	@Test
	void aClientTrustingAnotherCaFailsItsHandshakeAndOthersAreStillServed() throws Exception {
		StreamServer server = start(certificates.serverContext(), null);
		int port = server.getServerPort();
		try (SSLSocket before = tls(certificates.clientContext(), port)) {
			assertThat(Clients.readLine(before.getInputStream())).startsWith("secure=true");
			assertThat(Clients.echoLine(before, "before")).isEqualTo("before");

			IOException rejection = TestCertificates.failHandshake(certificates.clientContextTrustingOtherCa(), port,
					PATIENCE);
			assertThat(rejection).isInstanceOf(SSLHandshakeException.class).hasMessageContaining("PKIX");
			await().atMost(PATIENCE).until(() -> !this.events.tlsFailures.isEmpty());
			// the client rejects the server's certificate and says so in an alert: the JDK's
			// server reads "Received fatal alert: certificate_unknown". (failHandshake keeps the TCP
			// connection open until the server has read it; a client that closes at once races
			// the server's last handshake write, which may then fail with "Broken pipe" instead.)
			assertThat(this.events.tlsFailures).containsExactly("certificate");

			assertThat(Clients.echoLine(before, "still here")).isEqualTo("still here");
			try (SSLSocket after = tls(certificates.clientContext(), port)) {
				assertThat(Clients.readLine(after.getInputStream())).startsWith("secure=true");
				assertThat(Clients.echoLine(after, "after")).isEqualTo("after");
			}
		}
		stopAndWait(server);
		assertThat(this.handlerRuns).hasValue(2);
		assertThat(this.events.started).hasValue(2);
		assertThat(this.events.accepted).hasValue(3);
		assertThat(this.events.tlsFailures).containsExactly("certificate");
	}

	@Test
	void mutualTlsRejectsAClientWithoutACertificate() throws Exception {
		StreamServer server = start(certificates.serverContext(), needClientAuth());
		try (SSLSocket anonymous = tls(certificates.clientContext(), server.getServerPort())) {
			assertThat(TestCertificates.firstLineOrFailure(anonymous)).isInstanceOf(IOException.class);
		}
		// the JDK's server: "Empty client certificate chain"
		assertOnlyTheHandshakeFailed(server, "certificate");
	}

	@Test
	void mutualTlsRejectsAClientCertificateFromAnotherCa() throws Exception {
		StreamServer server = start(certificates.serverContext(), needClientAuth());
		TestCertificates.Identity stranger = certificates.issueClient(certificates.otherCa(), "CN=stranger");
		try (SSLSocket client = tls(certificates.clientContextPresenting(stranger), server.getServerPort())) {
			assertThat(TestCertificates.firstLineOrFailure(client)).isInstanceOf(IOException.class);
		}
		// the JDK's server: "PKIX path building failed: ... unable to find valid certification path"
		assertOnlyTheHandshakeFailed(server, "certificate");
	}

	@Test
	void mutualTlsAcceptsAClientWithACaSignedCertificateAndTheHandlerSeesIt() throws Exception {
		StreamServer server = start(certificates.serverContext(), needClientAuth());
		try (SSLSocket client = tls(certificates.clientContext(certificates.client()), server.getServerPort())) {
			assertThat(TestCertificates.firstLineOrFailure(client))
				.isEqualTo("secure=true protocol=TLSv1.3 peer=" + TestCertificates.CLIENT_SUBJECT);
			assertThat(Clients.echoLine(client, "mutual")).isEqualTo("mutual");
		}
		stopAndWait(server);
		assertThat(this.handlerRuns).hasValue(1);
		assertThat(this.events.tlsFailures).isEmpty();
	}

	@Test
	void aPlaintextClientThatSendsNothingIsClosedAfterTheHandshakeTimeout() throws Exception {
		StreamServer server = server(certificates.serverContext(), null);
		server.setHandshakeTimeout(Duration.ofMillis(300));
		assertThat(server.getHandshakeTimeout()).isEqualTo(Duration.ofMillis(300));
		server.start();
		long started = System.nanoTime();
		try (Socket silent = Clients.connect(server.getServerPort())) {
			Clients.readUntilClosed(silent);
			long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
			// the server waited for the handshake about 300ms: not at once, and not the 10s default
			assertThat(elapsedMillis).isBetween(300L, 8_000L);
		}
		assertOnlyTheHandshakeFailed(server, "timeout");
	}

	@Test
	void aTrickledClientHelloIsCutAtTheHandshakeTimeoutHoweverItsBytesArePaced() throws Exception {
		StreamServer server = server(certificates.serverContext(), null);
		server.setHandshakeTimeout(Duration.ofMillis(500));
		server.start();
		byte[] clientHello = clientHello(certificates.clientContext());
		long started = System.nanoTime();
		try (Socket trickling = Clients.connect(server.getServerPort())) {
			OutputStream out = trickling.getOutputStream();
			try {
				for (byte b : clientHello) {
					out.write(b);
					out.flush();
					Thread.sleep(100); // pacing the slow client under test, not synchronisation
				}
			}
			catch (IOException ex) {
				// the server closed the connection under the writes: what is expected
			}
			await().atMost(PATIENCE).until(() -> !this.events.tlsFailures.isEmpty());
		}
		long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
		// hundreds of bytes at 100 ms each: each read is well within the timeout, the whole far beyond it
		assertThat(clientHello.length).isGreaterThan(100);
		assertThat(tookMillis).isLessThan(4_000);
		assertOnlyTheHandshakeFailed(server, "timeout");
	}

	@Test
	void aClientAskingToRenegotiateIsRefusedCountedAndClosedWhileOthersAreServed() throws Exception {
		StreamServer server = start(certificates.serverContext(), null);
		int port = server.getServerPort();
		try (SSLSocket other = tls(certificates.clientContext(), port);
				SSLSocket renegotiating = tls(certificates.clientContext(), port)) {
			// TLS 1.3 has no renegotiation at all: 1.2 is where a client can ask for one
			renegotiating.setEnabledProtocols(new String[] { "TLSv1.2" });
			assertThat(Clients.readLine(renegotiating.getInputStream())).isEqualTo(
					"secure=true protocol=TLSv1.2 peer=none");
			assertThat(Clients.echoLine(renegotiating, "first")).isEqualTo("first");
			try {
				renegotiating.startHandshake();
				renegotiating.getOutputStream().write("second\n".getBytes(StandardCharsets.US_ASCII));
				renegotiating.getOutputStream().flush();
			}
			catch (IOException ex) {
				// the server's alert, or its close, under the client's handshake or write: what is expected
			}
			// the JDK client reads the server's alert: "Received fatal alert: handshake_failure"
			assertThat(TestCertificates.firstLineOrFailure(renegotiating)).isInstanceOf(IOException.class);
			await().atMost(PATIENCE).until(() -> !this.events.tlsFailures.isEmpty());
			assertThat(this.events.tlsFailures).containsExactly("renegotiation");
			assertThat(Clients.readLine(other.getInputStream())).startsWith("secure=true");
			assertThat(Clients.echoLine(other, "unaffected")).isEqualTo("unaffected");
		}
		stopAndWait(server);
		// refused by the server, as after a deadline: no handler error of its own
		assertThat(this.events.outcomes).containsOnly(ServerEventListener.HandlerOutcome.SUCCESS).hasSize(2);
	}

	@Test
	void aPlaintextClientSendingGarbageIsClosed() throws Exception {
		StreamServer server = start(certificates.serverContext(), null);
		try (Socket plaintext = Clients.connect(server.getServerPort())) {
			plaintext.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
			byte[] answer = Clients.readUntilClosed(plaintext);
			// at most a TLS alert record (content type 21), never a handler's answer
			assertThat(answer.length == 0 || answer[0] == 21).as("answer %s", new String(answer, StandardCharsets.ISO_8859_1))
				.isTrue();
		}
		// the JDK's server: SSLProtocolException "Unsupported or unrecognized SSL message"
		assertOnlyTheHandshakeFailed(server, "protocol");
	}

	@Test
	void aNewSslContextWhileRunningAppliesToNewConnections() throws Exception {
		StreamServer server = start(certificates.serverContext(), null);
		int port = server.getServerPort();
		TestCertificates.Identity renewed = certificates.issueServer(certificates.ca(), "CN=gserver renewed server,O=gserver");
		try (SSLSocket old = tls(certificates.clientContext(), port)) {
			assertThat(Clients.readLine(old.getInputStream())).startsWith("secure=true");
			assertThat(TestCertificates.peerSubject(old)).isEqualTo(TestCertificates.SERVER_SUBJECT);

			SSLContext context = certificates.serverContext(renewed);
			server.setSslContext(context);
			assertThat(server.getSslContext()).isSameAs(context);

			try (SSLSocket fresh = tls(certificates.clientContext(), port)) {
				assertThat(Clients.readLine(fresh.getInputStream())).startsWith("secure=true");
				Certificate presented = fresh.getSession().getPeerCertificates()[0];
				assertThat(presented).isEqualTo(renewed.certificate());
				assertThat(((X509Certificate) presented).getSubjectX500Principal().getName())
					.isEqualTo("CN=gserver renewed server,O=gserver");
				assertThat(Clients.echoLine(fresh, "fresh")).isEqualTo("fresh");
			}
			// the connection made before the change keeps its session
			assertThat(Clients.echoLine(old, "old")).isEqualTo("old");
			assertThat(TestCertificates.peerSubject(old)).isEqualTo(TestCertificates.SERVER_SUBJECT);
		}
		assertThat(this.events.tlsFailures).isEmpty();
	}

	@Test
	void theHandshakeTimeoutMustBePositive() {
		StreamServer server = server(certificates.serverContext(), null);
		assertThat(server.getHandshakeTimeout()).isEqualTo(Duration.ofSeconds(10));
		assertThatIllegalArgumentException().isThrownBy(() -> server.setHandshakeTimeout(Duration.ZERO));
		assertThatIllegalArgumentException().isThrownBy(() -> server.setHandshakeTimeout(Duration.ofMillis(-1)));
		assertThatIllegalArgumentException().isThrownBy(() -> server.setHandshakeTimeout(null));
	}

	// ---- helpers ----

	private StreamServer server(SSLContext context, SSLParameters parameters) {
		StreamServer server = this.servers.track(new StreamServer("127.0.0.1:0", this::greetAndEcho));
		server.setSslContext(context);
		server.setSslParameters(parameters);
		return server;
	}

	private StreamServer start(SSLContext context, SSLParameters parameters) throws IOException {
		StreamServer server = server(context, parameters);
		server.start();
		return server;
	}

	/**
	 * Asserts that one handshake failed, for {@code reason}, and that no handler started (the server
	 * is stopped first, so that none can start later).
	 */
	private void assertOnlyTheHandshakeFailed(StreamServer server, String reason) {
		await().atMost(PATIENCE).until(() -> !this.events.tlsFailures.isEmpty());
		assertThat(this.events.tlsFailures).containsExactly(reason);
		stopAndWait(server);
		assertThat(this.handlerRuns).hasValue(0);
		assertThat(this.events.started).hasValue(0);
	}

	/** Stops the server, waiting for its handlers, so that counts of handler runs are final. */
	private static void stopAndWait(StreamServer server) {
		server.stop(PATIENCE);
		assertThat(server.getActiveConnections()).isZero();
	}

	private void greetAndEcho(Connection connection) throws Exception {
		this.handlerRuns.incrementAndGet();
		TestCertificates.greetAndEcho(connection);
	}

	private static SSLParameters needClientAuth() {
		SSLParameters parameters = new SSLParameters();
		parameters.setNeedClientAuth(true);
		return parameters;
	}

	/** The first flight of a JSSE client: its ClientHello record, as it would go on the wire. */
	private static byte[] clientHello(SSLContext context) throws IOException {
		SSLEngine engine = context.createSSLEngine("localhost", 443);
		engine.setUseClientMode(true);
		ByteBuffer record = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
		engine.wrap(ByteBuffer.allocate(0), record);
		record.flip();
		byte[] bytes = new byte[record.remaining()];
		record.get(bytes);
		return bytes;
	}

	private static SSLSocket tls(SSLContext context, int port) throws IOException {
		return TestCertificates.connect(context, port, PATIENCE);
	}

	/** Also records each failed handshake's reason. */
	static final class TlsEvents extends RecordingListener {

		final List<String> tlsFailures = new CopyOnWriteArrayList<>();

		@Override
		public void tlsHandshakeFailed(String reason) {
			this.tlsFailures.add(reason);
		}

	}

}
