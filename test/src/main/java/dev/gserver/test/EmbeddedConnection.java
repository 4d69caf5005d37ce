package dev.gserver.test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.jspecify.annotations.Nullable;

import dev.gserver.Connection;
import dev.gserver.Handler;

/**
 * A {@link Connection} in memory, to unit-test a {@link Handler} without a server or a socket, as
 * Netty's {@code EmbeddedChannel} tests a channel handler. {@link #run(Handler)} starts the
 * handler on a thread of its own, as a server would; the test writes what the client sends and
 * reads what the handler writes, raw or through {@link #client()}, the same API as a socket test.
 *
 * <pre>{@code
 * EmbeddedConnection connection = EmbeddedConnection.run(handler);
 * connection.writeInbound("hello\r\n");
 * connection.closeInbound();                  // the end of stream, for the handler
 * connection.await();                         // the handler returned; its failure is thrown
 * assertThat(connection.readOutbound()).asString(UTF_8).isEqualTo("HELLO\r\n");
 * }</pre>
 *
 * As a server does, it closes the connection when the handler returns or throws. Each direction
 * holds at most {@link #MAX_BUFFERED} bytes: past that, a write waits for the other side to
 * read, as on a socket. The test's waits end at its {@link #withTimeout(Duration) timeout}. The
 * two addresses are fixed and fake ({@link #REMOTE_ADDRESS}, {@link #LOCAL_ADDRESS}); there is no
 * TLS, and no frame timeout unless the handler sets one on its reader ({@link #setReadTimeout}
 * and read deadlines are honoured).
 */
public final class EmbeddedConnection implements Connection {

	/** The client's address: fake, from TEST-NET-1 (RFC 5737), which no real host has. */
	public static final InetSocketAddress REMOTE_ADDRESS = address(1, 50000);

	/** The server's address: fake, from TEST-NET-1 (RFC 5737). */
	public static final InetSocketAddress LOCAL_ADDRESS = address(2, 7000);

	/** The most bytes one direction holds before a write waits for the reader. */
	public static final int MAX_BUFFERED = 1024 * 1024;

	private static final AtomicInteger THREADS = new AtomicInteger();

	/** What the client sends: the test writes, the handler reads. */
	private final BytePipe inbound = new BytePipe(MAX_BUFFERED);

	/** What the handler sends: the handler writes, the test reads. */
	private final BytePipe outbound = new BytePipe(MAX_BUFFERED);

	private final CountDownLatch done = new CountDownLatch(1);

	private final List<String> rejectedFrames = new CopyOnWriteArrayList<>();

	private final Thread thread;

	private final AtomicBoolean clientCreated = new AtomicBoolean();

	private volatile Duration timeout = GServerTestClient.DEFAULT_TIMEOUT;

	private volatile boolean open = true;

	private volatile Duration readTimeout = Duration.ZERO;

	private volatile long readDeadline;

	private volatile @Nullable Throwable failure;

	private volatile boolean failureReported;

	private final InputStream input = Streams.input(
			(bytes, offset, length) -> this.inbound.read(bytes, offset, length, handlerReadDeadline()), this::close);

	// no deadline: a handler's write waits for the client, as on a socket without a write timeout
	private final OutputStream output = Streams.output(
			(bytes, offset, length) -> this.outbound.write(bytes, offset, length, 0), this::close);

	private EmbeddedConnection(Handler handler) {
		this.thread = new Thread(() -> serve(handler), "gserver-embedded-" + THREADS.incrementAndGet());
		// a handler that never ends must not keep the test JVM alive
		this.thread.setDaemon(true);
	}

	/** Starts {@code handler} on a new thread, serving a new in-memory connection. */
	public static EmbeddedConnection run(Handler handler) {
		EmbeddedConnection connection = new EmbeddedConnection(Objects.requireNonNull(handler, "handler"));
		connection.thread.start();
		return connection;
	}

	private void serve(Handler handler) {
		try {
			handler.handle(this);
		}
		catch (Throwable ex) {
			this.failure = ex;
		}
		finally {
			close();
			this.done.countDown();
		}
	}

	/** Sets how long the test's waits last: a write into a full buffer, {@link #await()}; 5 seconds by default. */
	public EmbeddedConnection withTimeout(Duration timeout) {
		this.timeout = GServerTestClient.requirePositive(timeout);
		return this;
	}

	/**
	 * Sends {@code bytes} to the handler, as the client; dropped once the handler has closed the
	 * connection, as a kernel takes them for a peer gone away.
	 * @throws AssertionError when the handler leaves no room for them within the timeout
	 * @throws IllegalStateException after {@link #closeInbound()}
	 */
	public void writeInbound(byte[] bytes) {
		try {
			this.inbound.write(bytes, 0, bytes.length, (System.nanoTime() + this.timeout.toNanos()) | 1);
		}
		catch (SocketTimeoutException ex) {
			throw new AssertionError("The handler did not read " + bytes.length + " bytes within "
					+ Texts.format(this.timeout) + " (" + ex.getMessage() + ")", ex);
		}
		catch (IOException ex) {
			throw new IllegalStateException("The client's input is closed already (closeInbound)", ex);
		}
	}

	/** Sends {@code text} in UTF-8 to the handler, as the client. */
	public void writeInbound(String text) {
		writeInbound(text.getBytes(StandardCharsets.UTF_8));
	}

	/** Ends the client's input, as a client shutting down its output: the handler reads the end of stream. */
	public void closeInbound() {
		this.inbound.closeWrite();
	}

	/** Takes the bytes the handler has written so far, without waiting; empty when there are none. */
	public byte[] readOutbound() {
		return this.outbound.drain();
	}

	/**
	 * Waits until the handler returns, at most the timeout.
	 * @throws AssertionError when the handler threw (its exception is the cause), or is still
	 * running at the timeout (it is then interrupted and its connection closed)
	 */
	public void await() {
		await(this.timeout, "still running after " + Texts.format(this.timeout));
	}

	/** Returns whether the handler is still running. */
	public boolean isRunning() {
		return this.done.getCount() > 0;
	}

	/**
	 * Returns the reasons of the frames the codecs refused ({@code too-long}, ...), in order: what
	 * the server would count in {@code gserver.frames.rejected}.
	 */
	public List<String> getRejectedFrames() {
		return List.copyOf(this.rejectedFrames);
	}

	/**
	 * Returns a test client talking to the handler through this connection; one per connection,
	 * as it buffers what it reads. Closing it is the client going away: the handler reads the end
	 * of stream and its writes fail, and the close waits for it to end, throwing its failure.
	 */
	public GServerTestClient client() {
		if (this.clientCreated.getAndSet(true)) {
			throw new IllegalStateException(
					"This connection has a client already: a second one would read half of what the handler writes");
		}
		return new GServerTestClient(new Transport()).withTimeout(this.timeout);
	}

	private void await(Duration timeout, String stillRunning) {
		try {
			if (!this.done.await(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
				kill();
				throw new AssertionError("The handler (" + this.thread.getName() + ") is " + stillRunning
						+ ": it was interrupted and its connection closed");
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			kill();
			throw new AssertionError("Interrupted while waiting for the handler", ex);
		}
		Throwable failure = this.failure;
		if (failure != null && !this.failureReported && !clientWentAway(failure)) {
			this.failureReported = true;
			throw new AssertionError("The handler failed: " + failure, failure);
		}
	}

	/** Whether the handler ended on a write the client's close made fail: no fault of its own. */
	private static boolean clientWentAway(Throwable failure) {
		for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
			if (cause instanceof ClientClosedException) {
				return true;
			}
		}
		return false;
	}

	/** Ends a handler that does not end: its streams fail, its thread is interrupted. */
	private void kill() {
		close();
		this.inbound.closeRead(new IOException("Killed"));
		this.outbound.closeRead(new IOException("Killed"));
		this.thread.interrupt();
		try {
			this.done.await(1, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	/** The deadline of the handler's next read: its read deadline or its read timeout, the sooner. */
	private long handlerReadDeadline() {
		long deadline = this.readDeadline;
		Duration timeout = this.readTimeout;
		if (!timeout.isZero()) {
			// never 0, which means no deadline
			long byTimeout = (System.nanoTime() + timeout.toNanos()) | 1;
			if (deadline == 0 || byTimeout - deadline < 0) {
				deadline = byTimeout;
			}
		}
		return deadline;
	}

	@Override
	public InputStream getInputStream() {
		return this.input;
	}

	@Override
	public OutputStream getOutputStream() {
		return this.output;
	}

	@Override
	public SocketAddress getRemoteAddress() {
		return REMOTE_ADDRESS;
	}

	@Override
	public SocketAddress getLocalAddress() {
		return LOCAL_ADDRESS;
	}

	@Override
	public Duration getReadTimeout() {
		return this.readTimeout;
	}

	@Override
	public void setReadTimeout(Duration timeout) {
		this.readTimeout = GServerTestClient.requireNotNegative(timeout);
	}

	@Override
	public void setReadDeadline(long deadlineNanos) {
		this.readDeadline = deadlineNanos;
	}

	@Override
	public void frameRejected(String reason) {
		this.rejectedFrames.add(reason);
	}

	@Override
	public boolean isOpen() {
		return this.open;
	}

	/** Closes the connection, as the server side: the client reads the end of stream, its further writes are dropped. */
	@Override
	public void close() {
		this.open = false;
		this.outbound.closeWrite();
		this.inbound.closeRead(null);
	}

	private static InetSocketAddress address(int host, int port) {
		try {
			return new InetSocketAddress(InetAddress.getByAddress(new byte[] { (byte) 192, 0, 2, (byte) host }), port);
		}
		catch (UnknownHostException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/** What a handler's write fails with once the client has closed: a broken pipe. */
	static final class ClientClosedException extends IOException {

		private static final long serialVersionUID = 1L;

		ClientClosedException() {
			super("Broken pipe: the client closed the connection");
		}

	}

	/** The client's side of the pipes, for {@link GServerTestClient}. */
	private final class Transport implements ClientTransport {

		@Override
		public int read(byte[] bytes, int offset, int length, long deadline) throws IOException {
			return EmbeddedConnection.this.outbound.read(bytes, offset, length, deadline);
		}

		@Override
		public void write(byte[] bytes, int offset, int length, long deadline) throws IOException {
			EmbeddedConnection.this.inbound.write(bytes, offset, length, deadline);
		}

		@Override
		public void shutdownOutput() {
			closeInbound();
		}

		@Override
		public void close(Duration timeout) {
			EmbeddedConnection.this.inbound.closeWrite();
			EmbeddedConnection.this.outbound.closeRead(new ClientClosedException());
			await(timeout, "still running " + Texts.format(timeout) + " after the client closed");
		}

		@Override
		public String describe() {
			return "the in-memory handler";
		}

		@Override
		public @Nullable Throwable failure() {
			return EmbeddedConnection.this.failure;
		}

	}

}
