package dev.gserver.test;

import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.gserver.codec.FrameException;
import dev.gserver.codec.FrameReader;
import dev.gserver.codec.FrameWriter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/** A handler served in memory: raw, and through the test client. */
@Timeout(30)
class EmbeddedConnectionTest {

	@Test
	void rawBytesInAndOut() {
		EmbeddedConnection connection = EmbeddedConnection.run(TestHandlers.echo());
		connection.writeInbound("hello\nworld\r\n");
		connection.closeInbound();
		assertThatIllegalStateException().isThrownBy(() -> connection.writeInbound("late"));
		connection.await();
		assertThat(connection.isRunning()).isFalse();
		assertThat(connection.isOpen()).isFalse();
		assertThat(new String(connection.readOutbound(), StandardCharsets.UTF_8)).isEqualTo("hello\r\nworld\r\n");
		assertThat(connection.readOutbound()).isEmpty();
	}

	@Test
	void theSameClientApiAsOverASocket() {
		try (GServerTestClient client = GServerTestClient.embedded(TestHandlers.echo())) {
			client.sendLine("hello").expectLine("hello");
			client.sendLine("QUIT").expectClosed();
		}
		try (GServerTestClient client = GServerTestClient.embedded(TestHandlers.resp())) {
			client.sendCommand("PING").expectReply("PONG");
			client.sendCommand("ECHO", "x").expectReply("x");
		}
		try (GServerTestClient client = GServerTestClient.embedded(TestHandlers.reverse())) {
			client.sendFrame(new byte[] { 1, 2 }).expectFrame(new byte[] { 2, 1 });
		}
	}

	@Test
	void aHandlerThatThrowsFailsTheCloseWithItsException() {
		GServerTestClient client = GServerTestClient.embedded((connection) -> {
			FrameReader.of(connection).readLine();
			throw new IllegalStateException("boom");
		});
		client.sendLine("go");
		// the connection closes when the handler ends, as a server closes it
		client.expectClosed();
		assertThatExceptionOfType(AssertionError.class).isThrownBy(client::close)
			.withMessage("The handler failed: java.lang.IllegalStateException: boom")
			.havingCause()
			.isInstanceOf(IllegalStateException.class)
			.withMessage("boom");
	}

	@Test
	void aHandlerThatThrowsWhileTheTestWaitsIsNamedInTheFailure() {
		EmbeddedConnection connection = EmbeddedConnection.run((c) -> {
			throw new IllegalArgumentException("bad input");
		});
		GServerTestClient client = connection.client();
		assertThatIllegalStateException().isThrownBy(connection::client);
		assertThatExceptionOfType(AssertionError.class).isThrownBy(() -> client.expectLine("hello"))
			.withMessageContaining("but the connection was closed after it failed: java.lang.IllegalArgumentException: bad input")
			.withCauseInstanceOf(IllegalArgumentException.class);
		assertThatExceptionOfType(AssertionError.class).isThrownBy(connection::await)
			.withCauseInstanceOf(IllegalArgumentException.class);
		// reported once
		client.close();
	}

	@Test
	void aHandlerThatDoesNotEndIsInterruptedAtTheTimeout() throws Exception {
		CountDownLatch interrupted = new CountDownLatch(1);
		EmbeddedConnection connection = EmbeddedConnection.run((c) -> {
			try {
				new CountDownLatch(1).await();
			}
			catch (InterruptedException ex) {
				interrupted.countDown();
			}
		}).withTimeout(Duration.ofMillis(200));
		assertThatExceptionOfType(AssertionError.class).isThrownBy(connection::await)
			.withMessageMatching("The handler \\(gserver-embedded-\\d+\\) is still running after 200ms: "
					+ "it was interrupted and its connection closed");
		assertThat(interrupted.await(5, TimeUnit.SECONDS)).isTrue();
	}

	@Test
	void aHandlerWritingAfterTheClientLeftIsNoFailure() {
		GServerTestClient client = GServerTestClient.embedded((connection) -> {
			OutputStream out = connection.getOutputStream();
			while (true) {
				out.write("tick\n".getBytes(StandardCharsets.US_ASCII));
			}
		});
		client.expectLine("tick");
		// its next write fails as a broken pipe, and it ends
		client.close();
	}

	@Test
	void theBuffersAreBoundedAndAFullOneTimesOut() {
		CountDownLatch release = new CountDownLatch(1);
		EmbeddedConnection connection = EmbeddedConnection.run((c) -> release.await(10, TimeUnit.SECONDS))
			.withTimeout(Duration.ofMillis(200));
		try {
			assertThatExceptionOfType(AssertionError.class)
				.isThrownBy(() -> connection.writeInbound(new byte[EmbeddedConnection.MAX_BUFFERED + 1]))
				.withMessageStartingWith("The handler did not read " + (EmbeddedConnection.MAX_BUFFERED + 1)
						+ " bytes within 200ms");
		}
		finally {
			release.countDown();
		}
		connection.await();
	}

	@Test
	void aHandlersReadTimeoutAndRefusedFramesAreHonoured() {
		EmbeddedConnection connection = EmbeddedConnection.run((c) -> {
			c.setReadTimeout(Duration.ofMillis(100));
			FrameWriter out = FrameWriter.of(c);
			try {
				c.getInputStream().read();
			}
			catch (SocketTimeoutException ex) {
				out.writeLine("idle").flush();
			}
			c.setReadTimeout(Duration.ZERO);
			try {
				FrameReader.of(c).maxLineLength(4).readLine();
			}
			catch (FrameException ex) {
				out.writeLine("ERR line too long").flush();
			}
		});
		GServerTestClient client = connection.client();
		client.expectLine("idle");
		client.sendLine("too long");
		client.expectLine("ERR line too long").expectClosed();
		client.close();
		assertThat(connection.getRejectedFrames()).containsExactly("too-long");
	}

	@Test
	void theAddressesAreFixedAndFake() {
		EmbeddedConnection connection = EmbeddedConnection.run((c) -> {
		});
		connection.await();
		assertThat(connection.getRemoteAddress()).isEqualTo(new InetSocketAddress("192.0.2.1", 50000));
		assertThat(connection.getLocalAddress()).isEqualTo(new InetSocketAddress("192.0.2.2", 7000));
		assertThat(connection.isSecure()).isFalse();
	}

}
