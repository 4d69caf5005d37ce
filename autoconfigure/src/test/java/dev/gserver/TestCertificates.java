package dev.gserver;

import java.io.IOException;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.security.auth.x500.X500Principal;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Certificates for TLS tests, generated in memory with BouncyCastle: a self-signed CA, a server
 * certificate for {@code 127.0.0.1} and {@code localhost} and a client certificate, both signed by
 * the CA, and an unrelated CA that nothing here trusts. EC P-256 keys, valid from an hour ago for
 * a day. Gives key stores and {@link SSLContext}s, and writes PEM files for Spring SSL bundles.
 */
public final class TestCertificates {

	/** The subject of {@link #server()}. */
	public static final String SERVER_SUBJECT = "CN=gserver test server,O=gserver";

	/** The subject of {@link #client()}. */
	public static final String CLIENT_SUBJECT = "CN=gserver test client,O=gserver";

	/** How long a certificate is valid unless told otherwise. */
	public static final Duration VALIDITY = Duration.ofDays(1);

	private static final char[] PASSWORD = "changeit".toCharArray();

	private static final AtomicLong SERIALS = new AtomicLong(System.currentTimeMillis());

	private final Identity ca;

	private final Identity server;

	private final Identity client;

	private final Identity otherCa;

	private TestCertificates() {
		this.ca = selfSignedCa("CN=gserver test CA,O=gserver");
		this.server = issueServer(this.ca, SERVER_SUBJECT);
		this.client = issueClient(this.ca, CLIENT_SUBJECT);
		this.otherCa = selfSignedCa("CN=unrelated test CA,O=elsewhere");
	}

	/** Generates a fresh CA, server and client certificate, and an unrelated CA. */
	public static TestCertificates create() {
		return new TestCertificates();
	}

	/** The self-signed CA that signs {@link #server()} and {@link #client()}. */
	public Identity ca() {
		return this.ca;
	}

	/** A server certificate for 127.0.0.1 and localhost, signed by {@link #ca()}. */
	public Identity server() {
		return this.server;
	}

	/** A client certificate, signed by {@link #ca()}. */
	public Identity client() {
		return this.client;
	}

	/** A self-signed CA unrelated to {@link #ca()}. */
	public Identity otherCa() {
		return this.otherCa;
	}

	/** Issues another server certificate (127.0.0.1, localhost) signed by {@code issuer}. */
	public Identity issueServer(Identity issuer, String subject) {
		return issueServer(issuer, subject, VALIDITY);
	}

	/** Issues another server certificate (127.0.0.1, localhost) signed by {@code issuer}, valid from now for {@code validity}. */
	public Identity issueServer(Identity issuer, String subject, Duration validity) {
		return issue(issuer, subject, false, KeyPurposeId.id_kp_serverAuth, true, validity);
	}

	/** Issues another client certificate signed by {@code issuer}. */
	public Identity issueClient(Identity issuer, String subject) {
		return issue(issuer, subject, false, KeyPurposeId.id_kp_clientAuth, false, VALIDITY);
	}

	// ---- SSL contexts ----

	/** A server context with {@link #server()}'s key, trusting {@link #ca()} for client certificates. */
	public SSLContext serverContext() {
		return serverContext(this.server);
	}

	/** A server context with {@code identity}'s key, trusting {@link #ca()} for client certificates. */
	public SSLContext serverContext(Identity identity) {
		return context(keyStore(identity), trustStore(this.ca.certificate()));
	}

	/** A client context trusting {@link #ca()}, without a certificate of its own. */
	public SSLContext clientContext() {
		return context(null, trustStore(this.ca.certificate()));
	}

	/** A client context trusting {@link #ca()} and presenting {@code identity}'s certificate. */
	public SSLContext clientContext(Identity identity) {
		return context(keyStore(identity), trustStore(this.ca.certificate()));
	}

	/**
	 * A client context trusting {@link #ca()} that presents {@code identity}'s certificate whatever
	 * certificate authorities the server asks for. (The JDK's own key manager offers only a
	 * certificate issued by one of them, and otherwise sends none.)
	 */
	public SSLContext clientContextPresenting(Identity identity) {
		try {
			KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
			factory.init(keyStore(identity), PASSWORD);
			X509ExtendedKeyManager keys = (X509ExtendedKeyManager) factory.getKeyManagers()[0];
			TrustManagerFactory trustManagers = TrustManagerFactory
				.getInstance(TrustManagerFactory.getDefaultAlgorithm());
			trustManagers.init(trustStore(this.ca.certificate()));
			SSLContext context = SSLContext.getInstance("TLS");
			context.init(new KeyManager[] { new InsistingKeyManager(keys) }, trustManagers.getTrustManagers(),
					new SecureRandom());
			return context;
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/** A client context trusting only {@link #otherCa()}: it rejects {@link #server()}. */
	public SSLContext clientContextTrustingOtherCa() {
		return context(null, trustStore(this.otherCa.certificate()));
	}

	/** A PKCS#12 key store holding {@code identity}'s key and certificate chain under alias "key". */
	public static KeyStore keyStore(Identity identity) {
		try {
			KeyStore store = KeyStore.getInstance("PKCS12");
			store.load(null, null);
			store.setKeyEntry("key", identity.keyPair().getPrivate(), PASSWORD,
					identity.chain().toArray(new Certificate[0]));
			return store;
		}
		catch (GeneralSecurityException | IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/** A PKCS#12 trust store holding {@code certificates}. */
	public static KeyStore trustStore(X509Certificate... certificates) {
		try {
			KeyStore store = KeyStore.getInstance("PKCS12");
			store.load(null, null);
			for (int i = 0; i < certificates.length; i++) {
				store.setCertificateEntry("trusted-" + i, certificates[i]);
			}
			return store;
		}
		catch (GeneralSecurityException | IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static SSLContext context(KeyStore keys, KeyStore trust) {
		try {
			KeyManagerFactory keyManagers = null;
			if (keys != null) {
				keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
				keyManagers.init(keys, PASSWORD);
			}
			TrustManagerFactory trustManagers = TrustManagerFactory
				.getInstance(TrustManagerFactory.getDefaultAlgorithm());
			trustManagers.init(trust);
			SSLContext context = SSLContext.getInstance("TLS");
			context.init((keyManagers != null) ? keyManagers.getKeyManagers() : null,
					trustManagers.getTrustManagers(), new SecureRandom());
			return context;
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException(ex);
		}
	}

	// ---- clients ----

	/**
	 * Connects a TLS client to 127.0.0.1:{@code port} with {@code context}, checking the server's
	 * name (its IP address SAN) like an HTTPS client, every read bounded by {@code timeout}. The
	 * handshake has not run yet: call {@link SSLSocket#startHandshake()} or read. The caller closes it.
	 */
	public static SSLSocket connect(SSLContext context, int port, Duration timeout) throws IOException {
		Socket plain = new Socket();
		try {
			plain.connect(new InetSocketAddress("127.0.0.1", port), (int) timeout.toMillis());
			plain.setSoTimeout((int) timeout.toMillis());
			SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(plain, "127.0.0.1", port, true);
			SSLParameters parameters = socket.getSSLParameters();
			parameters.setEndpointIdentificationAlgorithm("HTTPS");
			socket.setSSLParameters(parameters);
			socket.setSoTimeout((int) timeout.toMillis());
			return socket;
		}
		catch (IOException | RuntimeException ex) {
			plain.close();
			throw ex;
		}
	}

	/**
	 * Connects with {@code context}, runs a handshake that the client is expected to fail, and
	 * returns the client's exception. The client sends its alert and then reads until the server
	 * closes: the TCP socket under TLS outlives the TLS one, so the server reads the alert instead of
	 * finding the connection gone.
	 * @throws AssertionError when the handshake succeeds
	 */
	public static IOException failHandshake(SSLContext context, int port, Duration timeout) throws IOException {
		try (Socket plain = new Socket()) {
			plain.connect(new InetSocketAddress("127.0.0.1", port), (int) timeout.toMillis());
			plain.setSoTimeout((int) timeout.toMillis());
			SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(plain, "127.0.0.1", port, false);
			IOException failure = null;
			try {
				socket.startHandshake();
			}
			catch (IOException ex) {
				failure = ex;
			}
			finally {
				socket.close();
			}
			if (failure == null) {
				throw new AssertionError("The handshake with 127.0.0.1:" + port + " succeeded");
			}
			try {
				plain.getInputStream().readAllBytes();
			}
			catch (SocketException ex) {
				// reset by the server: closed either way
			}
			return failure;
		}
	}

	/** The subject of the certificate the peer of {@code socket} presented, handshaking if needed. */
	public static String peerSubject(SSLSocket socket) throws IOException {
		return ((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSubjectX500Principal().getName();
	}

	// ---- PEM ----

	/**
	 * Writes {@code identity}'s certificate chain ({@code <name>.crt}, leaf first), its PKCS#8
	 * private key ({@code <name>.key}) and the certificate of its CA ({@code ca.crt}) to
	 * {@code directory}, replacing files of the same names.
	 */
	public PemFiles writePem(Identity identity, Path directory, String name) throws IOException {
		Files.createDirectories(directory);
		PemFiles files = new PemFiles(directory.resolve(name + ".crt"), directory.resolve(name + ".key"),
				directory.resolve("ca.crt"));
		StringBuilder chain = new StringBuilder();
		for (X509Certificate certificate : identity.chain()) {
			chain.append(pem("CERTIFICATE", encoded(certificate)));
		}
		Files.writeString(files.certificate(), chain, StandardCharsets.US_ASCII);
		Files.writeString(files.privateKey(), pem("PRIVATE KEY", identity.keyPair().getPrivate().getEncoded()),
				StandardCharsets.US_ASCII);
		Files.writeString(files.caCertificate(), pem("CERTIFICATE", encoded(identity.caCertificate())),
				StandardCharsets.US_ASCII);
		return files;
	}

	private static byte[] encoded(X509Certificate certificate) {
		try {
			return certificate.getEncoded();
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static String pem(String type, byte[] der) {
		String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
		return "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
	}

	// ---- generation ----

	private static Identity selfSignedCa(String subject) {
		KeyPair keyPair = newKeyPair();
		X500Name name = x500Name(subject);
		X509Certificate certificate = build(name, keyPair.getPublic(), name, keyPair, true, null, false, VALIDITY);
		return new Identity(keyPair, certificate, null);
	}

	private static Identity issue(Identity issuer, String subject, boolean ca, KeyPurposeId purpose,
			boolean loopbackNames, Duration validity) {
		KeyPair keyPair = newKeyPair();
		X509Certificate certificate = build(x500Name(subject), keyPair.getPublic(),
				X500Name.getInstance(issuer.certificate().getSubjectX500Principal().getEncoded()), issuer.keyPair(),
				ca, purpose, loopbackNames, validity);
		return new Identity(keyPair, certificate, issuer);
	}

	/** The name as the JDK writes it: {@link X500Principal#getName()} then gives {@code subject} back. */
	private static X500Name x500Name(String subject) {
		return X500Name.getInstance(new X500Principal(subject).getEncoded());
	}

	private static X509Certificate build(X500Name subject, PublicKey publicKey, X500Name issuerName,
			KeyPair issuerKeys, boolean ca, KeyPurposeId purpose, boolean loopbackNames, Duration validity) {
		try {
			Instant now = Instant.now();
			X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuerName,
					BigInteger.valueOf(SERIALS.incrementAndGet()), Date.from(now.minus(Duration.ofHours(1))),
					Date.from(now.plus(validity)), subject, publicKey);
			JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
			builder.addExtension(Extension.subjectKeyIdentifier, false,
					extensions.createSubjectKeyIdentifier(publicKey));
			builder.addExtension(Extension.authorityKeyIdentifier, false,
					extensions.createAuthorityKeyIdentifier(issuerKeys.getPublic()));
			builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
			if (ca) {
				builder.addExtension(Extension.keyUsage, true,
						new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign | KeyUsage.digitalSignature));
			}
			else {
				builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
				builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose));
			}
			if (loopbackNames) {
				builder.addExtension(Extension.subjectAlternativeName, false,
						new GeneralNames(new GeneralName[] { new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
								new GeneralName(GeneralName.dNSName, "localhost") }));
			}
			ContentSigner signer = new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKeys.getPrivate());
			return new JcaX509CertificateConverter().getCertificate(builder.build(signer));
		}
		catch (GeneralSecurityException | OperatorCreationException | IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static KeyPair newKeyPair() {
		try {
			KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
			generator.initialize(new ECGenParameterSpec("secp256r1"));
			return generator.generateKeyPair();
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/** Always offers the one key it holds, whatever the peer asks for. */
	private static final class InsistingKeyManager extends X509ExtendedKeyManager {

		private final X509ExtendedKeyManager delegate;

		InsistingKeyManager(X509ExtendedKeyManager delegate) {
			this.delegate = delegate;
		}

		@Override
		public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
			return "key";
		}

		@Override
		public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
			return "key";
		}

		@Override
		public String[] getClientAliases(String keyType, Principal[] issuers) {
			return new String[] { "key" };
		}

		@Override
		public String[] getServerAliases(String keyType, Principal[] issuers) {
			return this.delegate.getServerAliases(keyType, issuers);
		}

		@Override
		public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
			return this.delegate.chooseServerAlias(keyType, issuers, socket);
		}

		@Override
		public X509Certificate[] getCertificateChain(String alias) {
			return this.delegate.getCertificateChain(alias);
		}

		@Override
		public PrivateKey getPrivateKey(String alias) {
			return this.delegate.getPrivateKey(alias);
		}

	}

	/** A key pair and its certificate; {@code signer} is {@code null} for a self-signed CA. */
	public record Identity(KeyPair keyPair, X509Certificate certificate, Identity signer) {

		/** The certificate's subject, as {@link javax.security.auth.x500.X500Principal#getName()} gives it. */
		public String subject() {
			return this.certificate.getSubjectX500Principal().getName();
		}

		/** The certificate chain, leaf first, up to and including the self-signed root. */
		public List<X509Certificate> chain() {
			List<X509Certificate> chain = new ArrayList<>();
			for (Identity each = this; each != null; each = each.signer) {
				chain.add(each.certificate);
			}
			return chain;
		}

		/** The certificate of the root CA this one chains to; its own certificate when self-signed. */
		public X509Certificate caCertificate() {
			return (this.signer != null) ? this.signer.caCertificate() : this.certificate;
		}

	}

	/** Where {@link #writePem} wrote the chain, the PKCS#8 key and the CA certificate. */
	public record PemFiles(Path certificate, Path privateKey, Path caCertificate) {

		/** {@code path} as a Spring resource location: {@code file:/abs/path}. */
		public static String location(Path path) {
			return "file:" + path.toAbsolutePath();
		}

	}


	/**
	 * Handshakes and reads the handler's first line; returns the line, or what failed. Under TLS
	 * 1.3 a client finishes its side of the handshake before the server has checked the client's
	 * certificate, so a rejection can also come on the first read: as an alert, or as the end of
	 * the stream (then an {@link EOFException}).
	 */
	public static Object firstLineOrFailure(SSLSocket socket) {
		try {
			socket.startHandshake();
			String line = Clients.readLine(socket.getInputStream());
			return (line != null) ? line : new java.io.EOFException("closed by the server without a line");
		}
		catch (IOException ex) {
			return ex;
		}
	}


	/** Says what the handler sees of the connection's security in one line, then echoes lines. */
	public static void greetAndEcho(Connection connection) throws Exception {
		javax.net.ssl.SSLSession session = connection.getSslSession();
		String peer = "none";
		if (session != null) {
			try {
				peer = ((java.security.cert.X509Certificate) session.getPeerCertificates()[0]).getSubjectX500Principal().getName();
			}
			catch (javax.net.ssl.SSLPeerUnverifiedException ex) {
				// no client certificate
			}
		}
		String greeting = "secure=" + connection.isSecure() + " protocol="
				+ ((session != null) ? session.getProtocol() : null) + " peer=" + peer + "\n";
		connection.getOutputStream().write(greeting.getBytes(java.nio.charset.StandardCharsets.UTF_8));
		connection.getOutputStream().flush();
		Handlers.echoLines(connection);
	}

}
