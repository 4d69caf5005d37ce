package dev.gserver;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketException;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.gserver.ServerEventListener.HandlerOutcome;
import dev.gserver.codec.FrameReader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A client that goes away mid-handler, with real sockets: a reset (SO_LINGER 0) while the handler
 * reads, plain or over TLS, and a close while it writes a large reply, end the handler as
 * {@link HandlerOutcome#DISCONNECTED}, logged at DEBUG without a stack trace; a client that stops
 * mid-frame still sent bad input.
 */
@Timeout(60)
class DisconnectTest {

	private static final Duration PATIENCE = Duration.ofMillis(Clients.PATIENCE_MILLIS);

	private final RecordingListener events = new RecordingListener();

	@RegisterExtension
	final Servers servers = new Servers().reportingTo(this.events);

	@RegisterExtension
	final LogCapture log = new LogCapture(BaseServer.class).atLevel(Level.DEBUG);

	/** What the handler's read or write threw. */
	private final AtomicReference<IOException> failure = new AtomicReference<>();

	/** Greets, then reads until the end of input. */
	private void greetAndRead(Connection connection) throws IOException {
		try {
			OutputStream out = connection.getOutputStream();
			out.write("ready\n".getBytes());
			out.flush();
			InputStream in = connection.getInputStream();
			while (in.read() != -1) {
				// nothing to do with the bytes
			}
		}
		catch (IOException ex) {
			this.failure.set(ex);
			throw ex;
		}
	}

	@Test
	void aClientThatResetsEndsTheHandlerAsDisconnected() throws Exception {
		StreamServer server = this.servers.start(new StreamServer("127.0.0.1:0", this::greetAndRead));
		try (Socket client = Clients.connect(server.getServerPort())) {
			assertThat(Clients.readLine(client.getInputStream())).isEqualTo("ready");
			client.setSoLinger(true, 0);
		}
		assertDisconnected("Connection reset");
	}

	@Test
	void aTlsClientThatResetsEndsTheHandlerAsDisconnected() throws Exception {
		TestCertificates certificates = TestCertificates.create();
		StreamServer server = new StreamServer("127.0.0.1:0", this::greetAndRead);
		server.setSslContext(certificates.serverContext());
		this.servers.start(server);
		SSLContext context = certificates.clientContext();
		try (Socket plain = Clients.connect(server.getServerPort());
				SSLSocket client = (SSLSocket) context.getSocketFactory()
					.createSocket(plain, "127.0.0.1", server.getServerPort(), true)) {
			assertThat(Clients.readLine(client.getInputStream())).isEqualTo("ready");
			// reset under TLS: no close_notify, the TCP connection is cut
			plain.setSoLinger(true, 0);
			plain.close();
		}
		assertDisconnected("Connection reset");
	}

	@Test
	void aClientThatClosesWhileTheHandlerWritesEndsItAsDisconnected() throws Exception {
		byte[] chunk = new byte[64 * 1024];
		StreamServer server = this.servers.start(new StreamServer("127.0.0.1:0", (connection) -> {
			OutputStream out = connection.getOutputStream();
			try {
				// a reply larger than both sockets' buffers: the write blocks until the client is gone
				for (int i = 0; i < 10_000; i++) {
					out.write(chunk);
				}
			}
			catch (IOException ex) {
				this.failure.set(ex);
				throw ex;
			}
		}));
		try (Socket client = Clients.connect(server.getServerPort())) {
			assertThat(client.getInputStream().read()).isNotEqualTo(-1);
		}
		// Linux answers a write to a closed connection with RST, and the next with EPIPE: either comes first
		assertDisconnected("Broken pipe", "Connection reset");
	}

	@Test
	void aClientThatStopsMidFrameSentBadInputNotADisconnect() throws Exception {
		StreamServer server = this.servers.start(new StreamServer("127.0.0.1:0", (connection) -> {
			FrameReader lines = FrameReader.of(connection);
			while (lines.readLine() != null) {
				// nothing
			}
		}));
		try (Socket client = Clients.connect(server.getServerPort())) {
			client.getOutputStream().write("no end of line".getBytes());
		}
		await().atMost(PATIENCE).until(() -> this.events.outcomes.size() == 1);
		assertThat(this.events.outcomes).containsExactly(HandlerOutcome.ERROR);
		assertThat(this.events.framesRejected).containsExactly("truncated");
	}

	@Test
	void onlyAnIoExceptionThatSaysThePeerWentAwayIsADisconnect() {
		assertThat(List.of(new SocketException("Connection reset"), new IOException("Connection reset by peer"),
				new IOException("Broken pipe"), new SocketException("Broken pipe (Write failed)"),
				new SSLException("Connection reset", new SocketException("Connection reset")),
				new UncheckedIOException(new IOException("Broken pipe")),
				new RuntimeException("wrapped", new SSLException(new SocketException("Connection reset"))),
				new IOException("An existing connection was forcibly closed by the remote host")))
			.allMatch(Disconnects::isDisconnect);
		assertThat(List.of(new IOException("boom"), new IOException((String) null), new EOFException(),
				new ClosedChannelException(), new IllegalStateException("Connection reset"),
				new SSLException("Received fatal alert: certificate_unknown")))
			.noneMatch(Disconnects::isDisconnect);
	}

	private void assertDisconnected(String... expectedMessages) {
		await().atMost(PATIENCE).until(() -> this.events.outcomes.size() == 1);
		assertThat(this.events.outcomes).containsExactly(HandlerOutcome.DISCONNECTED);
		assertThat(this.failure.get()).isNotNull();
		assertThat(this.failure.get().getMessage()).containsAnyOf(expectedMessages);
		assertThat(this.log.events()).noneMatch((event) -> event.getLevel().isGreaterOrEqual(Level.WARN));
		ILoggingEvent line = this.log.events()
			.stream()
			.filter((event) -> event.getFormattedMessage().contains("disconnected"))
			.findFirst()
			.orElseThrow();
		assertThat(line.getLevel()).isEqualTo(Level.DEBUG);
		assertThat(line.getThrowableProxy()).isNull();
		assertThat(line.getMDCPropertyMap()).containsKeys(ConnectionMdc.SERVER, ConnectionMdc.CONNECTION,
				ConnectionMdc.CLIENT);
	}

}
