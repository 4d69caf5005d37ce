package dev.gserver;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketAddress;
import java.nio.channels.SocketChannel;

/** A TCP or Unix-socket client, as a {@link Handler} sees it. */
final class SocketConnection implements Connection {

	private final SocketChannel channel;

	private final Traffic traffic;

	private InputStream in;

	private OutputStream out;

	SocketConnection(SocketChannel channel, Traffic traffic) {
		this.channel = channel;
		this.traffic = traffic;
	}

	@Override
	public InputStream getInputStream() throws IOException {
		if (this.in == null) {
			this.in = this.traffic.counting(socket().getInputStream());
		}
		return this.in;
	}

	@Override
	public OutputStream getOutputStream() throws IOException {
		if (this.out == null) {
			this.out = this.traffic.counting(socket().getOutputStream());
		}
		return this.out;
	}

	private Socket socket() {
		return this.channel.socket();
	}

	@Override
	public SocketAddress getRemoteAddress() {
		return remoteAddress(this.channel);
	}

	@Override
	public SocketAddress getLocalAddress() {
		try {
			return this.channel.getLocalAddress();
		}
		catch (IOException ex) {
			return null;
		}
	}

	@Override
	public boolean isOpen() {
		return this.channel.isOpen();
	}

	@Override
	public void close() throws IOException {
		this.channel.close();
	}

	@Override
	public String toString() {
		return "Connection(" + getRemoteAddress() + ")";
	}

	/** Returns the peer of {@code channel}, still known after it was closed. */
	static SocketAddress remoteAddress(SocketChannel channel) {
		try {
			return channel.getRemoteAddress();
		}
		catch (IOException ex) {
			return channel.socket().getRemoteSocketAddress();
		}
	}

}
