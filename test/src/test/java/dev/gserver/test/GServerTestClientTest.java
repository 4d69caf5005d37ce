package dev.gserver.test;

import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.mock.env.MockEnvironment;

import dev.gserver.Handler;
import dev.gserver.StreamServer;
import dev.gserver.codec.LengthField;
import dev.gserver.codec.LineEnding;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/** The test client against real servers of the core, on 127.0.0.1. */
@Timeout(30)
class GServerTestClientTest {

	private StreamServer server;

	@AfterEach
	void stop() {
		if (this.server != null) {
			this.server.stop(Duration.ofSeconds(1));
		}
	}

	private int serve(Handler handler) throws Exception {
		this.server = new StreamServer("127.0.0.1:0", handler);
		this.server.start();
		return this.server.getServerPort();
	}

	@Test
	void linesGoAndComeBack() throws Exception {
		try (GServerTestClient client = GServerTestClient.connect(serve(TestHandlers.echo()))) {
			client.sendLine("hello").expectLine("hello");
			client.sendLine("héllo wörld");
			assertThat(client.readLine()).isEqualTo("héllo wörld");
			client.send("par").send("tial\r\n").expectLine("partial");
			client.withLineEnding(LineEnding.LF).sendLine("lf").expectLine("lf");
			client.sendLine("QUIT").expectClosed();
			assertThat(client.readLine()).isNull();
		}
	}

	@Test
	void aDifferentLineIsAnAssertionErrorShowingBoth() throws Exception {
		try (GServerTestClient client = GServerTestClient.connect(serve(TestHandlers.echo()))) {
			client.sendLine("hello\tworld");
			assertThatExceptionOfType(AssertionError.class).isThrownBy(() -> client.expectLine("goodbye"))
				.withMessageContaining("Unexpected line from the server at 127.0.0.1:" + this.server.getServerPort())
				.withMessageContaining("expected: \"goodbye\"")
				.withMessageContaining("but was:  \"hello\\tworld\"");
		}
	}

	@Test
	void anExpectationTimesOutAtItsDeadlineNamingWhatItWaitedFor() throws Exception {
		CountDownLatch release = new CountDownLatch(1);
		int port = serve((connection) -> {
			// half a line, then nothing until the test is done
			connection.getOutputStream().write("hal".getBytes(StandardCharsets.US_ASCII));
			connection.getOutputStream().flush();
			release.await(10, TimeUnit.SECONDS);
		});
		try (GServerTestClient client = GServerTestClient.connect(port).withTimeout(Duration.ofMillis(300))) {
			long start = System.nanoTime();
			assertThatExceptionOfType(AssertionError.class).isThrownBy(() -> client.expectLine("half"))
				.withMessage("Timed out after 300ms waiting for the line \"half\" from the server at 127.0.0.1:" + port);
			assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(250),
					Duration.ofSeconds(3));
			assertThatExceptionOfType(AssertionError.class).isThrownBy(client::readReply)
				.withMessageStartingWith("Timed out after 300ms waiting for a reply");
			assertThatExceptionOfType(AssertionError.class).isThrownBy(client::expectClosed)
				.withMessageStartingWith("Timed out after 300ms waiting for the connection to close");
		}
		finally {
			release.countDown();
		}
	}

	@Test
	void theTimeoutBoundsTheWholeExpectationNotEachRead() throws Exception {
		CountDownLatch release = new CountDownLatch(1);
		int port = serve((connection) -> {
			// a byte every 20 ms and never a line end: each read gets something long before 300 ms
			for (int i = 0; i < 150 && !release.await(20, TimeUnit.MILLISECONDS); i++) {
				connection.getOutputStream().write('a');
				connection.getOutputStream().flush();
			}
		});
		try (GServerTestClient client = GServerTestClient.connect(port).withTimeout(Duration.ofMillis(300))) {
			long start = System.nanoTime();
			assertThatExceptionOfType(AssertionError.class).isThrownBy(client::readLine)
				.withMessageStartingWith("Timed out after 300ms waiting for a line");
			assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
		}
		finally {
			release.countDown();
		}
	}

	@Test
	void respCommandsAndTheirReplies() throws Exception {
		try (GServerTestClient client = GServerTestClient.connect(serve(TestHandlers.resp()))) {
			client.sendCommand("PING").expectReply("PONG");
			client.sendCommand("ECHO", "héllo").expectReply("héllo");
			client.sendCommand("INCR", "k").expectReply(1);
			client.sendCommand("GET", "missing").expectReply(null);
			client.sendCommand("LIST").expectReply(List.of("a", 2L));
			client.sendCommand("NOPE").expectReply(new RespError("ERR unknown command 'NOPE'"));
			client.sendCommand("HELLO", "3").expectReply(Map.of("proto", 3));
			client.sendCommand("FLAGS");
			assertThat(client.readReply()).isEqualTo(Arrays.asList(true, 1.5, null));
			client.sendCommand("QUIT").expectReply("OK").expectClosed();
		}
	}

	@Test
	void aDifferentReplyIsAnAssertionErrorShowingBoth() throws Exception {
		try (GServerTestClient client = GServerTestClient.connect(serve(TestHandlers.resp()))) {
			client.sendCommand("NOPE");
			assertThatExceptionOfType(AssertionError.class).isThrownBy(() -> client.expectReply("OK"))
				.withMessageContaining("expected: \"OK\"")
				.withMessageContaining("but was:  -ERR unknown command 'NOPE'");
			client.sendCommand("INCR", "k");
			// 1 and "1" differ: a test must not pass on a reply of the wrong type
			assertThatExceptionOfType(AssertionError.class).isThrownBy(() -> client.expectReply("1"))
				.withMessageContaining("but was:  1");
		}
	}

	@Test
	void lengthPrefixedFrames() throws Exception {
		try (GServerTestClient client = GServerTestClient.connect(serve(TestHandlers.reverse()))) {
			client.sendFrame(new byte[] { 1, 2, 3 }).expectFrame(new byte[] { 3, 2, 1 });
			client.sendFrame(new byte[0]);
			assertThat(client.readFrame()).isEmpty();
			client.sendFrame("abc".getBytes(StandardCharsets.US_ASCII));
			assertThatExceptionOfType(AssertionError.class).isThrownBy(() -> client.expectFrame(new byte[] { 'a' }))
				.withMessageContaining("expected: \"a\" (1 bytes)")
				.withMessageContaining("but was:  \"cba\" (3 bytes)");
			client.shutdownOutput();
			assertThat(client.readFrame()).isNull();
		}
	}

	@Test
	void aLengthFieldOfAnotherShape() throws Exception {
		int port = serve((connection) -> {
			byte[] frame = dev.gserver.codec.FrameReader.of(connection).readFrame(LengthField.uint16());
			dev.gserver.codec.FrameWriter.of(connection).writeFrame(LengthField.uint16(), frame).flush();
		});
		try (GServerTestClient client = GServerTestClient.connect(port).withLengthField(LengthField.uint16())) {
			client.sendFrame(new byte[] { 42 }).expectFrame(new byte[] { 42 });
			client.expectClosed();
		}
	}

	@Test
	void expectClosedFailsWhenTheServerSendsMore() throws Exception {
		try (GServerTestClient client = GServerTestClient.connect(serve(TestHandlers.echo()))) {
			client.sendLine("still here");
			assertThatExceptionOfType(AssertionError.class).isThrownBy(client::expectClosed)
				.withMessageContaining("to close the connection, but it sent \"still here\"");
		}
	}

	@Test
	void aClosedConnectionWhileExpectingIsAnAssertionError() throws Exception {
		try (GServerTestClient client = GServerTestClient.connect(serve(TestHandlers.echo()))) {
			client.sendLine("QUIT");
			assertThatExceptionOfType(AssertionError.class).isThrownBy(() -> client.expectLine("anything"))
				.withMessageEndingWith("but the connection was closed");
		}
	}

	@Test
	void connectingToNothingNamesTheAddress() throws Exception {
		int port;
		try (ServerSocket closed = new ServerSocket(0)) {
			port = closed.getLocalPort();
		}
		int refused = port;
		assertThatExceptionOfType(UncheckedIOException.class).isThrownBy(() -> GServerTestClient.connect(refused))
			.withMessageStartingWith("Cannot connect to 127.0.0.1:" + refused);
	}

	@Test
	void connectsByNameFromTheEnvironment() throws Exception {
		int port = serve(TestHandlers.echo());
		MockEnvironment environment = new MockEnvironment().withProperty("local.gserver.port", "" + port)
			.withProperty("local.gserver.chat.port", "" + port);
		try (GServerTestClient client = GServerTestClient.connect(environment)) {
			client.sendLine("default").expectLine("default");
		}
		try (GServerTestClient client = GServerTestClient.connect(environment, "chat")) {
			client.sendLine("chat").expectLine("chat");
		}
		assertThatIllegalStateException().isThrownBy(() -> GServerTestClient.connect(environment, "admin"))
			.withMessage("No local.gserver.admin.port in the environment: "
					+ "a gserver server named 'admin' has not started in this context");
	}

	@Test
	void aClosedClientRefusesToGoOn() throws Exception {
		GServerTestClient client = GServerTestClient.connect(serve(TestHandlers.echo()));
		client.close();
		client.close();
		assertThatIllegalStateException().isThrownBy(() -> client.sendLine("late"));
	}

}
