package dev.gserver.autoconfigure;

import java.util.Objects;
import javax.net.ssl.SSLParameters;

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
	}

}
