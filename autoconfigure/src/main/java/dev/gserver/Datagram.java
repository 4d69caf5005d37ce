package dev.gserver;

import java.io.IOException;
import java.net.SocketAddress;

/** One datagram received by a {@link DatagramServer}, with the means to answer its sender. */
public final class Datagram implements Client {

	private final byte[] data;

	private final SocketAddress sender;

	private final DatagramServer server;

	Datagram(byte[] data, SocketAddress sender, DatagramServer server) {
		this.data = data;
		this.sender = sender;
		this.server = server;
	}

	/** Returns the datagram's bytes (truncated to the server's buffer size, as recvfrom does). */
	public byte[] getData() {
		return this.data;
	}

	/** Returns who sent it. */
	public SocketAddress getSender() {
		return this.sender;
	}

	/** Returns who sent it: {@link #getSender()}. */
	@Override
	public SocketAddress getRemoteAddress() {
		return this.sender;
	}

	/** Does nothing: the socket is the server's. */
	@Override
	public void close() {
	}

	/**
	 * Sends {@code data} back to the sender.
	 * @return whether it was sent; {@code false} when the socket's send buffer was full (UDP drops)
	 */
	public boolean reply(byte[] data) throws IOException {
		return this.server.sendTo(data, this.sender);
	}

	@Override
	public String toString() {
		return "Datagram(" + this.data.length + " bytes from " + this.sender + ")";
	}

}
