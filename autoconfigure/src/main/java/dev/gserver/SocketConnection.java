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

	SocketConnection(SocketChannel channel) {
		this.channel = channel;
	}

	@Override
	public InputStream getInputStream() throws IOException {
		return socket().getInputStream();
	}

	@Override
	public OutputStream getOutputStream() throws IOException {
		return socket().getOutputStream();
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
