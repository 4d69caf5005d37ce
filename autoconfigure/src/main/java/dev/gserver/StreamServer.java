package dev.gserver;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.NotYetBoundException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.UnresolvedAddressException;

/**
 * A TCP server: gevent's {@code StreamServer}. Each accepted connection is handed to a
 * {@link Handler} on its own thread (see {@link Spawn}).
 *
 * <pre>{@code
 * StreamServer server = new StreamServer("127.0.0.1:7000", connection -> {
 *     connection.getInputStream().transferTo(connection.getOutputStream());
 * });
 * server.serveForever();
 * }</pre>
 */
public class StreamServer extends BaseServer<SocketChannel, Handler> {

	/** The listen backlog unless set: gevent's {@code backlog = 128}. */
	public static final int DEFAULT_BACKLOG = 128;

	private Integer backlog;

	private boolean reuseAddress = true;

	private boolean tcpNoDelay = true;

	/** Serves on a gevent address string, such as {@code "127.0.0.1:7000"}, {@code ":7000"} or {@code "[::1]:0"}. */
	public StreamServer(String address, Handler handler) {
		this(address, handler, Spawn.DEFAULT);
	}

	public StreamServer(String address, Handler handler, Spawn spawn) {
		super(address, handler, spawn);
	}

	public StreamServer(SocketAddress address, Handler handler) {
		this(address, handler, Spawn.DEFAULT);
	}

	public StreamServer(SocketAddress address, Handler handler, Spawn spawn) {
		super(address, handler, spawn);
	}

	/**
	 * Serves on a channel the caller already bound (and that is then taken as is: no backlog may
	 * be set). Stopping the server closes it.
	 */
	public StreamServer(ServerSocketChannel listener, Handler handler) {
		this(listener, handler, Spawn.DEFAULT);
	}

	public StreamServer(ServerSocketChannel listener, Handler handler, Spawn spawn) {
		super(requireBound(listener), handler, spawn);
	}

	/** Serves on a channel the caller already bound; see {@link #StreamServer(ServerSocketChannel, Handler)}. */
	public void setListener(ServerSocketChannel listener) {
		if (this.backlog != null) {
			throw new IllegalArgumentException("backlog must not be set when a bound ServerSocketChannel is given");
		}
		setListenerChannel(requireBound(listener));
	}

	private static ServerSocketChannel requireBound(ServerSocketChannel listener) {
		try {
			if (listener != null && listener.isOpen() && listener.getLocalAddress() == null) {
				throw new IllegalArgumentException("The listener " + listener + " is not bound: bind it first");
			}
		}
		catch (IOException ex) {
			throw new IllegalArgumentException("Cannot read the address of listener " + listener, ex);
		}
		return listener;
	}

	public int getBacklog() {
		return (this.backlog != null) ? this.backlog : DEFAULT_BACKLOG;
	}

	/**
	 * Sets how many connections the kernel queues before they are accepted; 128 by default.
	 * @throws IllegalArgumentException when the server was given a bound listener, as gevent does
	 */
	public void setBacklog(int backlog) {
		if (isListenerGiven()) {
			throw new IllegalArgumentException("backlog must not be set when a bound ServerSocketChannel is given");
		}
		if (backlog < 1) {
			throw new IllegalArgumentException("backlog must be at least 1, got " + backlog);
		}
		this.backlog = backlog;
	}

	public boolean isReuseAddress() {
		return this.reuseAddress;
	}

	/** Sets {@code SO_REUSEADDR} on the listener, so that a restart can bind while old connections linger; true by default. */
	public void setReuseAddress(boolean reuseAddress) {
		this.reuseAddress = reuseAddress;
	}

	public boolean isTcpNoDelay() {
		return this.tcpNoDelay;
	}

	/** Sets {@code TCP_NODELAY} on accepted connections, so that small replies leave at once; true by default. */
	public void setTcpNoDelay(boolean tcpNoDelay) {
		this.tcpNoDelay = tcpNoDelay;
	}

	/** Binds and listens when built from an address; returns a given listener as it is. */
	@Override
	protected SelectableChannel initSocket() throws IOException {
		if (isListenerGiven()) {
			ServerSocketChannel given = (ServerSocketChannel) getListener();
			if (given.getLocalAddress() == null) {
				throw new NotYetBoundException();
			}
			return given;
		}
		SocketAddress address = getAddress();
		boolean unix = address instanceof UnixDomainSocketAddress;
		ServerSocketChannel channel = unix ? ServerSocketChannel.open(StandardProtocolFamily.UNIX)
				: ServerSocketChannel.open();
		try {
			if (!unix) {
				channel.setOption(StandardSocketOptions.SO_REUSEADDR, this.reuseAddress);
			}
			channel.bind(address, getBacklog());
			return channel;
		}
		catch (IOException ex) {
			channel.close();
			throw Addresses.bindFailure(address, ex);
		}
		catch (UnresolvedAddressException ex) {
			channel.close();
			throw Addresses.bindFailure(address, new java.net.UnknownHostException(
					"unknown host " + ((InetSocketAddress) address).getHostString()));
		}
	}

	@Override
	protected SocketChannel doRead() throws IOException {
		SocketChannel client = ((ServerSocketChannel) getListener()).accept();
		if (client == null) {
			return null;
		}
		try {
			client.configureBlocking(true);
			if (this.tcpNoDelay && client.getRemoteAddress() instanceof InetSocketAddress) {
				client.setOption(StandardSocketOptions.TCP_NODELAY, true);
			}
			return client;
		}
		catch (IOException | RuntimeException ex) {
			client.close();
			throw ex;
		}
	}

	@Override
	protected void handle(SocketChannel client) throws Exception {
		getHandle().handle(new SocketConnection(client, getTraffic()));
	}

	@Override
	protected void doClose(SocketChannel client) {
		try {
			client.close();
		}
		catch (IOException ex) {
			// the client is gone either way
		}
	}

	@Override
	protected SocketAddress getRemoteAddress(SocketChannel client) {
		return SocketConnection.remoteAddress(client);
	}

}
