package dev.gserver.test;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

import org.springframework.core.env.Environment;

import dev.gserver.Handler;
import dev.gserver.codec.FrameException;
import dev.gserver.codec.FrameReader;
import dev.gserver.codec.FrameWriter;
import dev.gserver.codec.LengthField;
import dev.gserver.codec.LineEnding;
import dev.gserver.codec.RespWriter;

/**
 * A blocking client for tests of a gserver server, over a socket or {@link #embedded(Handler) in
 * memory}: it sends lines, RESP commands, length-prefixed frames and bytes, and reads or expects
 * what comes back, on the core's codecs.
 *
 * <pre>{@code
 * try (GServerTestClient client = GServerTestClient.connect(port)) {
 *     client.sendLine("hello").expectLine("HELLO");
 *     client.sendCommand("PING").expectReply("PONG");
 * }
 * }</pre>
 *
 * Every read is bounded: each expectation must be met within the {@link #withTimeout(Duration)
 * timeout} (5 seconds unless set), however many reads it takes, or it fails with an
 * {@link AssertionError} naming what it waited for. A reply that is not the one expected is an
 * {@link AssertionError} showing both; an I/O failure is an {@link UncheckedIOException}. After a
 * timeout inside a frame (half a line has come), the next read goes on from where it stopped.
 * Not thread-safe: one test thread drives it.
 */
public final class GServerTestClient implements AutoCloseable {

	/** How long an expectation waits unless {@link #withTimeout(Duration)} says otherwise. */
	public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

	/** Where {@link #connect(int)} and {@link #connect(Environment)} connect. */
	public static final String LOOPBACK = "127.0.0.1";

	private final ClientTransport transport;

	private final FrameReader reader;

	private final FrameWriter writer;

	private final RespWriter resp;

	private Duration timeout = DEFAULT_TIMEOUT;

	private LengthField lengthField = LengthField.uint32();

	/** When the expectation under way must be met, in {@link System#nanoTime()} terms; 0 between them. */
	private long deadline;

	private boolean closed;

	GServerTestClient(ClientTransport transport) {
		this.transport = transport;
		InputStream in = Streams.input((bytes, offset, length) -> transport.read(bytes, offset, length, this.deadline));
		OutputStream out = Streams.output((bytes, offset, length) -> transport.write(bytes, offset, length, this.deadline));
		// generous bounds: a test reads what it asked for, but a runaway server must not take the heap
		this.reader = FrameReader.of(in).maxLineLength(1024 * 1024).maxFrameLength(64 * 1024 * 1024);
		this.writer = FrameWriter.of(out);
		this.resp = RespWriter.of(out);
	}

	/** Connects to {@code port} on {@value #LOOPBACK}. */
	public static GServerTestClient connect(int port) {
		return connect(LOOPBACK, port);
	}

	/**
	 * Connects to {@code host:port}, waiting at most {@link #DEFAULT_TIMEOUT}.
	 * @throws UncheckedIOException when the connection fails, naming the address
	 */
	public static GServerTestClient connect(String host, int port) {
		Socket socket = new Socket();
		try {
			socket.connect(new InetSocketAddress(host, port), (int) DEFAULT_TIMEOUT.toMillis());
			socket.setTcpNoDelay(true);
			return new GServerTestClient(new SocketTransport(socket));
		}
		catch (IOException ex) {
			try {
				socket.close();
			}
			catch (IOException closing) {
				ex.addSuppressed(closing);
			}
			throw new UncheckedIOException("Cannot connect to " + host + ":" + port + ": " + ex.getMessage(), ex);
		}
	}

	/** Connects to the default server of a started context, on {@value #LOOPBACK} at {@code local.gserver.port}. */
	public static GServerTestClient connect(Environment environment) {
		return connect(port(environment, "local.gserver.port", "the default gserver server"));
	}

	/**
	 * Connects to the server named {@code server} (its bean name) of a started context, on
	 * {@value #LOOPBACK} at {@code local.gserver.<server>.port}.
	 */
	public static GServerTestClient connect(Environment environment, String server) {
		return connect(port(environment, "local.gserver." + server + ".port", "a gserver server named '" + server + "'"));
	}

	private static int port(Environment environment, String property, String server) {
		Integer port = environment.getProperty(property, Integer.class);
		if (port == null) {
			throw new IllegalStateException("No " + property + " in the environment: " + server
					+ " has not started in this context");
		}
		return port;
	}

	/**
	 * Starts {@code handler} on an {@link EmbeddedConnection} and returns a client talking to it in
	 * memory. Closing the client waits for the handler to end, and throws its failure as an
	 * {@link AssertionError}.
	 */
	public static GServerTestClient embedded(Handler handler) {
		return EmbeddedConnection.run(handler).client();
	}

	/** Sets how long each expectation may wait, from its start to its end; returns this client. */
	public GServerTestClient withTimeout(Duration timeout) {
		this.timeout = requirePositive(timeout);
		return this;
	}

	/** Returns how long each expectation may wait. */
	public Duration getTimeout() {
		return this.timeout;
	}

	/**
	 * Sets how {@link #sendLine(String)} ends lines: CR LF (the default) or LF; returns this client.
	 * Lines read may end with either.
	 */
	public GServerTestClient withLineEnding(LineEnding lineEnding) {
		this.writer.lineEnding(lineEnding);
		return this;
	}

	/**
	 * Sets the header of {@link #sendFrame(byte[])} and {@link #readFrame()}:
	 * {@link LengthField#uint32()} by default; returns this client.
	 */
	public GServerTestClient withLengthField(LengthField lengthField) {
		this.lengthField = Objects.requireNonNull(lengthField, "lengthField");
		return this;
	}

	/** Sends {@code bytes} as they are. */
	public GServerTestClient send(byte[] bytes) {
		return send("bytes", () -> this.writer.write(bytes).flush());
	}

	/** Sends {@code text} in UTF-8 as it is, without a line ending: half a line, a malformed request. */
	public GServerTestClient send(String text) {
		return send(text.getBytes(StandardCharsets.UTF_8));
	}

	/** Sends {@code line} and a line ending. */
	public GServerTestClient sendLine(String line) {
		return send("a line", () -> this.writer.writeLine(line).flush());
	}

	/** Sends a RESP command as client libraries do: an array of bulk strings, in UTF-8. */
	public GServerTestClient sendCommand(String... arguments) {
		return send("a command", () -> {
			this.resp.array(arguments.length);
			for (String argument : arguments) {
				this.resp.bulk(Objects.requireNonNull(argument, "a command's argument"));
			}
			this.resp.flush();
		});
	}

	/** Sends {@code payload} after its length, as the {@link #withLengthField(LengthField) length field} says. */
	public GServerTestClient sendFrame(byte[] payload) {
		return send("a frame", () -> this.writer.writeFrame(this.lengthField, payload).flush());
	}

	/** Ends what the client sends, keeping the connection open for replies: the server reads the end of stream. */
	public GServerTestClient shutdownOutput() {
		return send("the end of stream", this.transport::shutdownOutput);
	}

	/** Reads a line, without its ending; {@code null} when the server has closed the connection. */
	public @Nullable String readLine() {
		return within("a line", this.reader::readLine);
	}

	/** Reads a line and checks it is {@code expected}. */
	public GServerTestClient expectLine(String expected) {
		Objects.requireNonNull(expected, "expected: use expectClosed() for the end of stream");
		// never null: required() fails at the end of stream
		String line = Objects.requireNonNull(within("the line " + Texts.quote(expected),
				() -> required(this.reader.readLine())));
		if (!expected.equals(line)) {
			throw mismatch("line", Texts.quote(expected), Texts.quote(line));
		}
		return this;
	}

	/**
	 * Reads a RESP reply (RESP2 or RESP3): a String for a simple, bulk or verbatim string (text
	 * in UTF-8), a {@link RespError} for an error, a Long for an integer, {@code null} for a null,
	 * a List for an array, a Set, a Map, a Boolean, a Double, a BigInteger.
	 * @throws AssertionError when the server closes the connection first
	 */
	public @Nullable Object readReply() {
		return within("a reply", () -> RespReplies.read(this.reader));
	}

	/**
	 * Reads a RESP reply and checks it equals {@code expected}, in the terms of
	 * {@link #readReply()}: {@code "OK"} for {@code +OK} or a bulk {@code OK}, {@code 1} for
	 * {@code :1}, {@code List.of("a", "b")}, {@code null}, {@code new RespError("ERR unknown")}.
	 */
	public GServerTestClient expectReply(@Nullable Object expected) {
		Object normalized = RespReplies.normalize(expected);
		Object reply = within("the reply " + RespReplies.render(normalized), () -> RespReplies.read(this.reader));
		if (!Objects.equals(normalized, reply)) {
			throw mismatch("reply", RespReplies.render(normalized), RespReplies.render(reply));
		}
		return this;
	}

	/** Reads a length-prefixed frame's payload; {@code null} when the server has closed the connection. */
	public byte @Nullable [] readFrame() {
		return within("a frame", () -> this.reader.readFrame(this.lengthField));
	}

	/** Reads a length-prefixed frame and checks its payload is {@code expected}. */
	public GServerTestClient expectFrame(byte[] expected) {
		// never null: required() fails at the end of stream
		byte[] frame = Objects.requireNonNull(within("the frame " + Texts.quote(expected),
				() -> required(this.reader.readFrame(this.lengthField))));
		if (!Arrays.equals(expected, frame)) {
			throw mismatch("frame", Texts.quote(expected), Texts.quote(frame));
		}
		return this;
	}

	/** Reads exactly {@code count} bytes. */
	public byte[] readBytes(int count) {
		// never null: readExactly fails at the end of stream
		return Objects.requireNonNull(within(count + " bytes", () -> this.reader.readExactly(count)));
	}

	/** Checks that the server closes the connection within the timeout, sending nothing more first. */
	public void expectClosed() {
		within("the connection to close", () -> {
			byte[] more;
			try {
				more = this.reader.readLineBytes();
			}
			catch (FrameException ex) {
				// bytes and then the end, without a line ending: what they were is gone with the frame
				throw new AssertionError("Expected " + this.transport.describe()
						+ " to close the connection, but it sent more bytes first (" + ex.getMessage() + ")", ex);
			}
			if (more != null) {
				throw new AssertionError("Expected " + this.transport.describe()
						+ " to close the connection, but it sent " + Texts.quote(more));
			}
			return null;
		});
	}

	/**
	 * Closes the connection. For an {@link #embedded(Handler) in-memory handler}, waits for it to
	 * end (within the timeout), and throws its failure.
	 * @throws AssertionError when the in-memory handler failed, or did not end
	 */
	@Override
	public void close() {
		if (this.closed) {
			return;
		}
		this.closed = true;
		try {
			this.transport.close(this.timeout);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/** What a read does; it may block. */
	@FunctionalInterface
	private interface Read<T> {

		@Nullable T read() throws IOException;

	}

	/** What a send does. */
	@FunctionalInterface
	private interface Write {

		void write() throws IOException;

	}

	/** Runs {@code read} with the deadline of one expectation, turning its failures into messages. */
	private <T> @Nullable T within(String waitingFor, Read<T> read) {
		requireOpen();
		// never 0, which means no deadline
		this.deadline = (System.nanoTime() + this.timeout.toNanos()) | 1;
		try {
			return read.read();
		}
		catch (SocketTimeoutException ex) {
			throw new AssertionError("Timed out after " + Texts.format(this.timeout) + " waiting for " + waitingFor
					+ " from " + this.transport.describe(), ex);
		}
		catch (EOFException ex) {
			Throwable failure = this.transport.failure();
			throw new AssertionError("Expected " + waitingFor + " from " + this.transport.describe()
					+ ", but the connection was closed" + ((failure != null) ? " after it failed: " + failure : ""),
					(failure != null) ? failure : ex);
		}
		catch (FrameException ex) {
			throw new AssertionError("Could not read " + waitingFor + " from " + this.transport.describe() + ": "
					+ ex.getMessage(), ex);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Failed waiting for " + waitingFor + " from " + this.transport.describe()
					+ ": " + ex.getMessage(), ex);
		}
		finally {
			this.deadline = 0;
		}
	}

	private GServerTestClient send(String what, Write write) {
		requireOpen();
		this.deadline = (System.nanoTime() + this.timeout.toNanos()) | 1;
		try {
			write.write();
			return this;
		}
		catch (SocketTimeoutException ex) {
			throw new AssertionError("Timed out after " + Texts.format(this.timeout) + " sending " + what + " to "
					+ this.transport.describe() + ": it reads nothing", ex);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Failed sending " + what + " to " + this.transport.describe() + ": "
					+ ex.getMessage(), ex);
		}
		finally {
			this.deadline = 0;
		}
	}

	private static <T> T required(@Nullable T value) throws EOFException {
		if (value == null) {
			throw new EOFException();
		}
		return value;
	}

	private AssertionError mismatch(String what, String expected, String actual) {
		return new AssertionError("Unexpected " + what + " from " + this.transport.describe() + "\n  expected: "
				+ expected + "\n  but was:  " + actual);
	}

	private void requireOpen() {
		if (this.closed) {
			throw new IllegalStateException("The client is closed");
		}
	}

	static Duration requirePositive(Duration timeout) {
		if (timeout == null || timeout.isNegative() || timeout.isZero()) {
			throw new IllegalArgumentException("A timeout must be positive, got " + timeout);
		}
		return timeout;
	}

	static Duration requireNotNegative(Duration timeout) {
		if (timeout == null || timeout.isNegative()) {
			throw new IllegalArgumentException("A timeout must not be negative, got " + timeout);
		}
		return timeout;
	}

}
