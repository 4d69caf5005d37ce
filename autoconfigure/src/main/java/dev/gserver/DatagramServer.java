package dev.gserver;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectableChannel;
import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A UDP server: gevent's {@code DatagramServer}. Each received datagram is handed to a
 * {@link DatagramHandler} under the server's {@link Spawn}, one datagram counting as one accept:
 * at most {@code maxAccept} per wake-up, and while the pool is full the server stops reading, so
 * that datagrams wait in the socket's receive buffer.
 */
public class DatagramServer extends BaseServer<Datagram, DatagramHandler> {

	private static final Logger logger = LoggerFactory.getLogger(DatagramServer.class);

	/**
	 * The longest datagram handled unless set, as gevent's {@code recvfrom(8192)}; a longer one is
	 * dropped and counted ({@link #getTruncatedCount()}), where gevent would cut it short.
	 */
	public static final int DEFAULT_BUFFER_SIZE = 8192;

	/** The largest UDP payload over IPv4. */
	public static final int MAX_BUFFER_SIZE = 65507;

	private int bufferSize = DEFAULT_BUFFER_SIZE;

	/** Receives on the accept thread only; each datagram is then copied out for its handler. */
	private @Nullable ByteBuffer receiveBuffer;

	private final LongAdder truncated = new LongAdder();

	public DatagramServer(String address, @Nullable DatagramHandler handler) {
		this(address, handler, Spawn.DEFAULT);
	}

	public DatagramServer(String address, @Nullable DatagramHandler handler, Spawn spawn) {
		super(address, handler, spawn);
	}

	public DatagramServer(SocketAddress address, @Nullable DatagramHandler handler, Spawn spawn) {
		super(address, handler, spawn);
	}

	/** Serves on a channel the caller already bound; stopping the server closes it. */
	public DatagramServer(DatagramChannel listener, @Nullable DatagramHandler handler, Spawn spawn) {
		super(listener, handler, spawn);
	}

	public int getBufferSize() {
		return this.bufferSize;
	}

	/**
	 * Sets the longest datagram handled, in bytes; a longer one is dropped and counted, not cut
	 * short as {@code recvfrom} would. 8192 by default, at most 65507.
	 */
	public void setBufferSize(int bufferSize) {
		if (bufferSize < 1 || bufferSize > MAX_BUFFER_SIZE) {
			throw new IllegalArgumentException(
					"bufferSize must be between 1 and " + MAX_BUFFER_SIZE + ", got " + bufferSize);
		}
		this.bufferSize = bufferSize;
	}

	/**
	 * Sends {@code data} to {@code address} from the server's socket; safe from any thread.
	 * @return whether it was sent; {@code false} when the send buffer was full (UDP drops)
	 */
	public boolean sendTo(byte[] data, SocketAddress address) throws IOException {
		DatagramChannel channel = (DatagramChannel) getListener();
		if (channel == null) {
			throw new IllegalStateException(this + " is not started");
		}
		// DatagramChannel.send holds the channel's write lock: concurrent senders do not interleave
		int sent = channel.send(ByteBuffer.wrap(data), address);
		if (sent > 0) {
			getCounters().sent.add(sent);
		}
		return sent > 0;
	}

	@Override
	protected SelectableChannel initSocket() throws IOException {
		return Listeners.bindDatagram(getAddress(), isReuseAddress());
	}

	/**
	 * Returns how many datagrams were longer than {@link #getBufferSize()}: dropped unhandled and
	 * counted, where {@code recvfrom} would have cut them short without a word.
	 */
	public long getTruncatedCount() {
		return this.truncated.sum();
	}

	@Override
	protected @Nullable Datagram doRead() throws IOException {
		// one byte more than the buffer size: a datagram that fills it was longer than allowed
		int capacity = this.bufferSize + 1;
		ByteBuffer buffer = this.receiveBuffer;
		if (buffer == null || buffer.capacity() != capacity) {
			buffer = ByteBuffer.allocateDirect(capacity);
			this.receiveBuffer = buffer;
		}
		while (true) {
			buffer.clear();
			SocketAddress sender = ((DatagramChannel) requireListener()).receive(buffer);
			if (sender == null) {
				return null;
			}
			buffer.flip();
			getCounters().received.add(buffer.remaining());
			if (buffer.remaining() <= this.bufferSize) {
				byte[] data = new byte[buffer.remaining()];
				buffer.get(data);
				return new Datagram(data, sender, this);
			}
			this.truncated.increment();
			logger.debug("{}: dropped a datagram from {} longer than its buffer size ({} bytes)", this, sender,
					this.bufferSize);
		}
	}

	@Override
	protected void handle(Datagram datagram) throws Exception {
		// start refuses a server without one; a handle set to null afterwards fails here, as it did
		Objects.requireNonNull(getHandle(), "handle").handle(datagram);
	}

}
