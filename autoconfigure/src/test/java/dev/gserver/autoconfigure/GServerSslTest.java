package dev.gserver.autoconfigure;

import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.ssl.NoSuchSslBundleException;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.gserver.Clients;
import dev.gserver.Handler;
import dev.gserver.StreamServer;
import dev.gserver.TestCertificates;
import dev.gserver.TestCertificates.PemFiles;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

/**
 * {@code gserver.ssl.*}: the auto-configured server serves TLS from a Spring SSL bundle of PEM
 * files, asks for client certificates as told, counts failed handshakes by reason, times every
 * handshake, and picks up a reloaded bundle for new connections and for its certificate expiry gauge.
 */
@Timeout(60)
class GServerSslTest {

	private static final Duration PATIENCE = Duration.ofSeconds(10);

	private static final String RENEWED_SUBJECT = "CN=gserver renewed server,O=gserver";

	private static TestCertificates certificates;

	@TempDir
	Path directory;

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(SslAutoConfiguration.class, GServerAutoConfiguration.class,
				GServerMetricsAutoConfiguration.class))
		.withBean(SimpleMeterRegistry.class)
		.withBean(Handler.class, () -> TestCertificates::greetAndEcho)
		.withPropertyValues("gserver.address=127.0.0.1", "gserver.port=0");

	@BeforeAll
	static void generateCertificates() {
		certificates = TestCertificates.create();
	}

	@Test
	void servesAJsseClientOverTlsFromAPemBundle() throws IOException {
		serverBundle().run((context) -> {
			assertThat(context).hasNotFailed();
			StreamServer server = context.getBean(StreamServer.class);
			assertThat(server.isSecure()).isTrue();
			assertThat(server.getSslParameters().getNeedClientAuth()).isFalse();
			assertThat(server.getSslParameters().getWantClientAuth()).isFalse();
			assertThat(server.getHandshakeTimeout()).isEqualTo(Duration.ofSeconds(10));
			try (SSLSocket client = tls(certificates.clientContext(), server.getServerPort())) {
				client.startHandshake();
				assertThat(TestCertificates.peerSubject(client)).isEqualTo(TestCertificates.SERVER_SUBJECT);
				assertThat(Clients.readLine(client.getInputStream()))
					.isEqualTo("secure=true protocol=" + client.getSession().getProtocol() + " peer=none");
				assertThat(Clients.echoLine(client, "hello bundle")).isEqualTo("hello bundle");
			}
		});
	}

	@Test
	void anUnknownBundleFailsStartUpNamingIt() {
		this.runner.withPropertyValues("gserver.ssl.bundle=no-such-bundle").run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause()
				.isInstanceOf(NoSuchSslBundleException.class)
				.hasMessageContaining("'no-such-bundle'");
		});
	}

	@Test
	void clientAuthNeedRejectsAClientWithoutACertificateAndAcceptsOneWith() throws IOException {
		clientAuth("need").run((context) -> {
			StreamServer server = context.getBean(StreamServer.class);
			assertThat(server.getSslParameters().getNeedClientAuth()).isTrue();
			MeterRegistry registry = context.getBean(MeterRegistry.class);
			int port = server.getServerPort();
			try (SSLSocket anonymous = tls(certificates.clientContext(), port)) {
				assertThat(TestCertificates.firstLineOrFailure(anonymous)).isInstanceOf(IOException.class);
			}
			await().atMost(PATIENCE).until(() -> handshakeErrors(registry, "certificate") == 1);
			try (SSLSocket client = tls(certificates.clientContext(certificates.client()), port)) {
				assertThat(TestCertificates.firstLineOrFailure(client))
					.isEqualTo("secure=true protocol=TLSv1.3 peer=" + TestCertificates.CLIENT_SUBJECT);
				assertThat(Clients.echoLine(client, "mutual")).isEqualTo("mutual");
			}
			assertThat(handshakeErrors(registry, "certificate")).isEqualTo(1);
		});
	}

	@Test
	void clientAuthWantAcceptsClientsWithAndWithoutACertificate() throws IOException {
		clientAuth("want").run((context) -> {
			StreamServer server = context.getBean(StreamServer.class);
			assertThat(server.getSslParameters().getWantClientAuth()).isTrue();
			int port = server.getServerPort();
			try (SSLSocket anonymous = tls(certificates.clientContext(), port)) {
				assertThat(TestCertificates.firstLineOrFailure(anonymous)).isEqualTo("secure=true protocol=TLSv1.3 peer=none");
			}
			try (SSLSocket client = tls(certificates.clientContext(certificates.client()), port)) {
				assertThat(TestCertificates.firstLineOrFailure(client))
					.isEqualTo("secure=true protocol=TLSv1.3 peer=" + TestCertificates.CLIENT_SUBJECT);
			}
		});
	}

	@Test
	void failedHandshakesMoveTheErrorCounterByReason() throws IOException {
		serverBundle().run((context) -> {
			MeterRegistry registry = context.getBean(MeterRegistry.class);
			int port = context.getBean(StreamServer.class).getServerPort();
			assertThat(registry.find("gserver.tls.handshake.errors").counter()).isNull();

			assertThat(TestCertificates.failHandshake(certificates.clientContextTrustingOtherCa(), port, PATIENCE))
				.isInstanceOf(SSLHandshakeException.class);
			await().atMost(PATIENCE).until(() -> handshakeErrors(registry, "certificate") == 1);

			try (Socket plaintext = Clients.connect(port)) {
				plaintext.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
				Clients.readUntilClosed(plaintext);
			}
			await().atMost(PATIENCE).until(() -> handshakeErrors(registry, "protocol") == 1);

			// a good client is served and counts nowhere
			try (SSLSocket client = tls(certificates.clientContext(), port)) {
				assertThat(TestCertificates.firstLineOrFailure(client)).isEqualTo("secure=true protocol=TLSv1.3 peer=none");
			}
			assertThat(handshakeErrors(registry, "certificate")).isEqualTo(1);
			assertThat(handshakeErrors(registry, "protocol")).isEqualTo(1);
			Counter counter = registry.get("gserver.tls.handshake.errors").tag("reason", "protocol").counter();
			assertThat(counter.getId().getTag("name")).isEqualTo("gserver");
			assertThat(counter.getId().getDescription()).isNotBlank();
			assertThat(registry.get("gserver.tls.handshake.errors").counters()).hasSize(2);
			// every handshake is timed, by outcome
			assertThat(handshakes(registry, "error").count()).isEqualTo(2);
			assertThat(handshakes(registry, "success").count()).isEqualTo(1);
			assertThat(handshakes(registry, "success").totalTime(TimeUnit.NANOSECONDS)).isPositive();
		});
	}

	@Test
	void theHandshakeTimeoutPropertyClosesASilentClient() throws IOException {
		serverBundle().withPropertyValues("gserver.ssl.handshake-timeout=300ms")
			.run((context) -> {
				StreamServer server = context.getBean(StreamServer.class);
				assertThat(server.getHandshakeTimeout()).isEqualTo(Duration.ofMillis(300));
				MeterRegistry registry = context.getBean(MeterRegistry.class);
				long started = System.nanoTime();
				try (Socket silent = Clients.connect(server.getServerPort())) {
					Clients.readUntilClosed(silent);
				}
				assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).isBetween(300L, 8_000L);
				await().atMost(PATIENCE).until(() -> handshakeErrors(registry, "timeout") == 1);
			});
	}

	@Test
	void aReloadedBundleAppliesToNewConnections() throws IOException {
		TestCertificates.Identity renewed = certificates.issueServer(certificates.ca(), RENEWED_SUBJECT, Duration.ofDays(30));
		serverBundle()
			.withPropertyValues("spring.ssl.bundle.pem.server.reload-on-update=true",
					"spring.ssl.bundle.watch.file.quiet-period=100ms")
			.run((context) -> {
				int port = context.getBean(StreamServer.class).getServerPort();
				MeterRegistry registry = context.getBean(MeterRegistry.class);
				assertThat(certificateExpiry(registry, "gserver")).isEqualTo(secondsLeft(certificates.server()), within(60.0))
					.isGreaterThan(0);
				try (SSLSocket old = tls(certificates.clientContext(), port)) {
					assertThat(TestCertificates.firstLineOrFailure(old)).isEqualTo("secure=true protocol=TLSv1.3 peer=none");
					assertThat(TestCertificates.peerSubject(old)).isEqualTo(TestCertificates.SERVER_SUBJECT);

					certificates.writePem(renewed, this.directory, "server");
					await().atMost(Duration.ofSeconds(20))
						.pollInterval(Duration.ofMillis(100))
						.ignoreExceptionsInstanceOf(IOException.class)
						.until(() -> presentedCertificate(port).equals(renewed.certificate()));
					// the gauge follows the bundle: 30 days left now, not one
					assertThat(certificateExpiry(registry, "gserver")).isEqualTo(secondsLeft(renewed), within(60.0));

					// a connection made before the reload goes on with its session
					assertThat(Clients.echoLine(old, "still here")).isEqualTo("still here");
					assertThat(TestCertificates.peerSubject(old)).isEqualTo(TestCertificates.SERVER_SUBJECT);
				}
				try (SSLSocket client = tls(certificates.clientContext(), port)) {
					assertThat(TestCertificates.firstLineOrFailure(client)).isEqualTo("secure=true protocol=TLSv1.3 peer=none");
					assertThat(TestCertificates.peerSubject(client)).isEqualTo(RENEWED_SUBJECT);
				}
			});
	}

	// ---- helpers ----

	/** The runner with the server's identity as the PEM bundle {@code server} (written to the temporary directory) for gserver. */
	@Test
	void aNamedServerServesTlsFromItsOwnBundle() throws IOException {
		PemFiles pem = writeServerPem();
		this.runner.withPropertyValues(bundle(pem))
			.withBean("plainHandler", Handler.class, () -> TestCertificates::greetAndEcho)
			.withPropertyValues("gserver.ssl.bundle=", "gserver.handler=plainHandler", "gserver.servers.secure.port=0",
					"gserver.servers.secure.ssl.bundle=server", "gserver.servers.secure.handler=handler")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				StreamServer secure = context.getBean("secure", StreamServer.class);
				assertThat(secure.isSecure()).isTrue();
				assertThat(context.getBean("gserver", StreamServer.class).isSecure()).isFalse();
				// the expiry gauge is the secure server's alone
				MeterRegistry registry = context.getBean(MeterRegistry.class);
				assertThat(certificateExpiry(registry, "secure")).isEqualTo(secondsLeft(certificates.server()), within(60.0));
				assertThat(registry.find("gserver.tls.certificate.expiry").gauges()).hasSize(1);
				try (SSLSocket client = tls(certificates.clientContext(), secure.getServerPort())) {
					client.startHandshake();
					assertThat(TestCertificates.peerSubject(client)).isEqualTo(TestCertificates.SERVER_SUBJECT);
					assertThat(Clients.echoLine(client, "hello")).startsWith("secure=true");
				}
			});
	}

	private ApplicationContextRunner serverBundle() throws IOException {
		return this.runner.withPropertyValues(bundle(writeServerPem()));
	}

	/** As {@link #serverBundle()}, trusting the CA and asking clients for a certificate as {@code mode} says. */
	private ApplicationContextRunner clientAuth(String mode) throws IOException {
		PemFiles pem = writeServerPem();
		return this.runner.withPropertyValues(bundle(pem))
			.withPropertyValues("gserver.ssl.client-auth=" + mode,
					"spring.ssl.bundle.pem.server.truststore.certificate=" + PemFiles.location(pem.caCertificate()));
	}

	private PemFiles writeServerPem() throws IOException {
		return certificates.writePem(certificates.server(), this.directory, "server");
	}

	private static String[] bundle(PemFiles pem) {
		return new String[] {
				"spring.ssl.bundle.pem.server.keystore.certificate=" + PemFiles.location(pem.certificate()),
				"spring.ssl.bundle.pem.server.keystore.private-key=" + PemFiles.location(pem.privateKey()),
				"gserver.ssl.bundle=server" };
	}

	private static double handshakeErrors(MeterRegistry registry, String reason) {
		Counter counter = registry.find("gserver.tls.handshake.errors")
			.tag("name", "gserver")
			.tag("reason", reason)
			.counter();
		return (counter != null) ? counter.count() : 0;
	}

	private static double certificateExpiry(MeterRegistry registry, String server) {
		return registry.get("gserver.tls.certificate.expiry").tag("name", server).gauge().value();
	}

	private static double secondsLeft(TestCertificates.Identity identity) {
		return (identity.certificate().getNotAfter().getTime() - System.currentTimeMillis()) / 1000.0;
	}

	private static Timer handshakes(MeterRegistry registry, String outcome) {
		return registry.get("gserver.tls.handshake.duration").tag("name", "gserver").tag("outcome", outcome).timer();
	}

	/** The certificate a new connection sees; the connection is closed again. */
	private static X509Certificate presentedCertificate(int port) throws IOException {
		try (SSLSocket client = tls(certificates.clientContext(), port)) {
			client.startHandshake();
			return (X509Certificate) client.getSession().getPeerCertificates()[0];
		}
	}

	private static SSLSocket tls(SSLContext context, int port) throws IOException {
		return TestCertificates.connect(context, port, PATIENCE);
	}

}
