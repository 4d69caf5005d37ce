package dev.gserver.autoconfigure;

import java.security.KeyStore;
import java.security.KeyStoreException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Collections;
import java.util.Objects;

import javax.net.ssl.SSLParameters;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.boot.ssl.SslOptions;

import dev.gserver.StreamServer;

/** Serves TLS from a Spring SSL bundle, and follows the bundle when it is reloaded. */
final class GServerSsl {

	private GServerSsl() {
	}

	/**
	 * Gives {@code server} the bundle's context and parameters, now and on every reload.
	 * @throws org.springframework.boot.ssl.NoSuchSslBundleException naming an unknown bundle
	 */
	static void apply(StreamServer server, GServerProperties.Ssl ssl, SslBundles bundles) {
		// applied only when a bundle is named (ServerFactory)
		String name = Objects.requireNonNull(ssl.getBundle(), "bundle");
		use(server, bundles.getBundle(name), ssl);
		bundles.addBundleUpdateHandler(name, (reloaded) -> use(server, reloaded, ssl));
		server.setHandshakeTimeout(ssl.getHandshakeTimeout());
	}

	private static void use(StreamServer server, SslBundle bundle, GServerProperties.Ssl ssl) {
		SSLParameters parameters = new SSLParameters();
		SslOptions options = bundle.getOptions();
		if (options.getCiphers() != null) {
			parameters.setCipherSuites(options.getCiphers());
		}
		if (options.getEnabledProtocols() != null) {
			parameters.setProtocols(options.getEnabledProtocols());
		}
		switch (ssl.getClientAuth()) {
			case NEED:
				parameters.setNeedClientAuth(true);
				break;
			case WANT:
				parameters.setWantClientAuth(true);
				break;
			default:
				break;
		}
		server.setSslParameters(parameters);
		server.setSslContext(bundle.createSslContext());
		server.setSslCertificate(servedCertificate(bundle));
	}

	/**
	 * Returns the certificate the bundle serves: its key alias's, or without one the key entry that
	 * expires first (what an expiry alert must watch when a store holds, say, an RSA and an EC key).
	 * {@code null} when the store has none.
	 */
	private static @Nullable X509Certificate servedCertificate(SslBundle bundle) {
		KeyStore store = bundle.getStores().getKeyStore();
		if (store == null) {
			return null;
		}
		try {
			String alias = bundle.getKey().getAlias();
			if (alias != null) {
				return x509(store.getCertificate(alias));
			}
			X509Certificate first = null;
			for (String each : Collections.list(store.aliases())) {
				X509Certificate certificate = store.isKeyEntry(each) ? x509(store.getCertificate(each)) : null;
				if (certificate != null && (first == null || certificate.getNotAfter().before(first.getNotAfter()))) {
					first = certificate;
				}
			}
			return first;
		}
		catch (KeyStoreException ex) {
			// the store was loaded by the bundle; it cannot be uninitialized here
			throw new IllegalStateException(ex);
		}
	}

	private static @Nullable X509Certificate x509(@Nullable Certificate certificate) {
		return (certificate instanceof X509Certificate x509) ? x509 : null;
	}

}
