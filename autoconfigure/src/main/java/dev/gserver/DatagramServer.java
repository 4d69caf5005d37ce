package dev.gserver;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectableChannel;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

/**
 * A UDP server: gevent's {@code DatagramServer}. Each received datagram is handed to a
 * {@link DatagramHandler} under the server's {@link Spawn}, one datagram counting as one accept:
 * at most {@code maxAccept} per wake-up, and while the pool is full the server stops reading, so
 * that datagrams wait in the socket's receive buffer.
 */
public class DatagramServer extends BaseServer<Datagram, DatagramHandler> {

	/** How many bytes of a datagram are read unless set: gevent's {@code recvfrom(8192)}. */
	public static final int DEFAULT_BUFFER_SIZE = 8192;

	/** The largest UDP payload over IPv4. */
	public static final int MAX_BUFFER_SIZE = 65507;

	private int bufferSize = DEFAULT_BUFFER_SIZE;

	/** Receives on the accept thread only; each datagram is then copied out for its handler. */
	private @Nullable ByteBuffer receiveBuffer;

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
	 * Sets how many bytes of each datagram are read; longer ones are truncated, as recvfrom does.
	 * 8192 by default, at most 65507.
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

	@Override
	protected @Nullable Datagram doRead() throws IOException {
		ByteBuffer buffer = this.receiveBuffer;
		if (buffer == null || buffer.capacity() != this.bufferSize) {
			buffer = ByteBuffer.allocateDirect(this.bufferSize);
			this.receiveBuffer = buffer;
		}
		buffer.clear();
		SocketAddress sender = ((DatagramChannel) requireListener()).receive(buffer);
		if (sender == null) {
			return null;
		}
		buffer.flip();
		byte[] data = new byte[buffer.remaining()];
		buffer.get(data);
		getCounters().received.add(data.length);
		return new Datagram(data, sender, this);
	}

	@Override
	protected void handle(Datagram datagram) throws Exception {
		// start refuses a server without one; a handle set to null afterwards fails here, as it did
		Objects.requireNonNull(getHandle(), "handle").handle(datagram);
	}

}
