package dev.gserver.sample;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.List;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.context.ConfigurableApplicationContext;

import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisConnectionException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The sample's Redis handler over TLS, with a JKS-style (PKCS#12) bundle made by keytool and a
 * JSSE client (Jedis over SSL): the handler is unchanged, the server does the TLS.
 */
@Timeout(90)
class TlsSampleTest {

	@TempDir
	Path directory;

	@RegisterExtension
	final RunningSample sample = new RunningSample();

	@Test
	void redisClientsSpeakTlsToTheSampleAndAnUntrustingOneFailsAlone() throws Exception {
		Path keystore = this.directory.resolve("server.p12");
		Path certificate = this.directory.resolve("server.crt");
		keytool("-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "1",
				"-dname", "CN=localhost", "-ext", "san=ip:127.0.0.1,dns:localhost", "-storetype", "PKCS12",
				"-keystore", keystore.toString(), "-storepass", "secret");
		keytool("-exportcert", "-rfc", "-alias", "server", "-keystore", keystore.toString(), "-storepass", "secret",
				"-file", certificate.toString());
		ConfigurableApplicationContext context = this.sample.start("--gserver.ssl.bundle=test",
				"--spring.ssl.bundle.jks.test.keystore.location=file:" + keystore,
				"--spring.ssl.bundle.jks.test.keystore.password=secret",
				"--spring.ssl.bundle.jks.test.keystore.type=PKCS12");
		int port = RunningSample.gserverPort(context);
		SSLContext trusting = trusting(certificate);
		try (Jedis before = tlsClient(port, trusting)) {
			assertThat(before.ping()).isEqualTo("PONG");
			assertThat(before.set("tls:key", "secret value")).isEqualTo("OK");
			assertThatExceptionOfType(JedisConnectionException.class).isThrownBy(() -> {
				try (Jedis untrusting = tlsClient(port, SSLContext.getDefault())) {
					untrusting.ping();
				}
			}).withMessageContaining("PKIX");
			assertThat(before.get("tls:key")).isEqualTo("secret value");
			try (Jedis after = tlsClient(port, trusting)) {
				assertThat(after.get("tls:key")).isEqualTo("secret value");
			}
		}
	}

	private static Jedis tlsClient(int port, SSLContext context) {
		return new Jedis(new HostAndPort("127.0.0.1", port), DefaultJedisClientConfig.builder()
			.ssl(true)
			.sslSocketFactory(context.getSocketFactory())
			.connectionTimeoutMillis(10_000)
			.socketTimeoutMillis(10_000)
			.build());
	}

	private static SSLContext trusting(Path certificate) throws Exception {
		KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
		trusted.load(null, null);
		try (InputStream in = Files.newInputStream(certificate)) {
			trusted.setCertificateEntry("server", CertificateFactory.getInstance("X.509").generateCertificate(in));
		}
		TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
		trust.init(trusted);
		SSLContext context = SSLContext.getInstance("TLS");
		context.init(null, trust.getTrustManagers(), null);
		return context;
	}

	private static void keytool(String... args) throws Exception {
		List<String> command = new java.util.ArrayList<>();
		command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
		command.addAll(List.of(args));
		Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
		String output = new String(process.getInputStream().readAllBytes());
		assertThat(process.waitFor()).as("keytool %s: %s", args[0], output).isZero();
	}

}
