package dev.gserver;

import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channel;
import java.nio.channels.DatagramChannel;
import java.nio.channels.NetworkChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.UnresolvedAddressException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Listening channels, opened and bound for TCP, Unix sockets and UDP: what gevent's
 * {@code init_socket} does, shared by the transports.
 */
final class Listeners {

	private static final Logger logger = LoggerFactory.getLogger(Listeners.class);

	private Listeners() {
	}

	/**
	 * Returns the most connections the system queues on a listener ({@code net.core.somaxconn}),
	 * or {@code fallback} where that cannot be read (not Linux).
	 */
	static int systemBacklog(int fallback) {
		// a line at a time: /proc files report a size of 0, and a whole-file read may stop short
		try (BufferedReader reader = Files.newBufferedReader(Path.of("/proc/sys/net/core/somaxconn"))) {
			String line = reader.readLine();
			int limit = (line != null) ? Integer.parseInt(line.trim()) : 0;
			return (limit > 0) ? limit : fallback;
		}
		catch (IOException | NumberFormatException | SecurityException ex) {
			return fallback;
		}
	}

	/**
	 * Opens a stream listener on {@code address}: TCP, with {@code SO_REUSEADDR} and, if asked,
	 * {@code SO_REUSEPORT}; or a Unix socket, which has neither.
	 * @throws java.net.BindException naming the address when binding fails
	 */
	static ServerSocketChannel bindStream(SocketAddress address, int backlog, boolean reuseAddress, boolean reusePort)
			throws IOException {
		if (address instanceof UnixDomainSocketAddress) {
			return bind(ServerSocketChannel.open(StandardProtocolFamily.UNIX), address,
					(channel) -> channel.bind(address, backlog));
		}
		return bind(ServerSocketChannel.open(), address, (channel) -> {
			channel.setOption(StandardSocketOptions.SO_REUSEADDR, reuseAddress);
			if (reusePort) {
				setReusePort(channel, address);
			}
			channel.bind(address, backlog);
		});
	}

	/** Opens a UDP socket on {@code address}, with {@code SO_REUSEADDR} as asked. */
	static DatagramChannel bindDatagram(SocketAddress address, boolean reuseAddress) throws IOException {
		return bind(DatagramChannel.open(), address, (channel) -> {
			channel.setOption(StandardSocketOptions.SO_REUSEADDR, reuseAddress);
			channel.bind(address);
		});
	}

	/**
	 * Returns the listening socket this JVM inherited on its standard input, from inetd or from
	 * systemd socket activation ({@code StandardInput=socket}).
	 * @throws IllegalStateException when no listening socket was inherited
	 */
	static ServerSocketChannel inherited() throws IOException {
		Channel channel = System.inheritedChannel();
		if (!(channel instanceof ServerSocketChannel)) {
			throw new IllegalStateException("No listening socket was inherited (System.inheritedChannel() is " + channel
					+ "): start the JVM with one on its standard input, from systemd socket activation"
					+ " (StandardInput=socket) or inetd");
		}
		return (ServerSocketChannel) channel;
	}

	/**
	 * {@code SO_REUSEPORT}: several processes on one host listen on the same port, and the kernel
	 * spreads new connections among them.
	 */
	private static void setReusePort(ServerSocketChannel channel, SocketAddress address) throws IOException {
		if (!channel.supportedOptions().contains(StandardSocketOptions.SO_REUSEPORT)) {
			throw new UnsupportedOperationException("SO_REUSEPORT is not supported on this platform, so "
					+ Addresses.format(address) + " cannot be shared: turn reusePort off");
		}
		channel.setOption(StandardSocketOptions.SO_REUSEPORT, true);
	}

	/** Configures and binds {@code channel}; closes it when that fails. */
	private static <T extends NetworkChannel> T bind(T channel, SocketAddress address, Binding<T> binding)
			throws IOException {
		try {
			binding.bind(channel);
			return channel;
		}
		catch (IOException | UnresolvedAddressException ex) {
			channel.close();
			throw Addresses.bindFailure(address, ex);
		}
		catch (RuntimeException ex) {
			channel.close();
			throw ex;
		}
	}

	@FunctionalInterface
	private interface Binding<T> {

		void bind(T channel) throws IOException;

	}

	/** Closes a listener or a selector; a failure is only worth a DEBUG line, as it is gone either way. */
	static void closeQuietly(@Nullable Closeable closeable) {
		if (closeable == null) {
			return;
		}
		try {
			closeable.close();
		}
		catch (IOException ex) {
			logger.debug("Closing {} failed", closeable, ex);
		}
	}

}
