package dev.gserver.autoconfigure;

import org.jspecify.annotations.Nullable;

import dev.gserver.AcceptState;
import dev.gserver.Addresses;
import dev.gserver.BaseServer;
import dev.gserver.Pool;

/**
 * What health and the {@code gserver} endpoint say about one server, read from its live state.
 *
 * @param name the bean name
 * @param state whether it accepts, and if not, why
 * @param address the bound address, or the one to bind before start
 * @param host the bound host
 * @param port the bound port
 * @param spawn how handlers run
 * @param pool the pool's size and use, or {@code null} without a pool
 * @param activeConnections connections whose handler is running
 * @param maxConnections the most connections handled at once, 0 for no limit
 * @param accepted connections accepted
 * @param rejected connections closed unhandled
 * @param acceptErrors failed accepts
 * @param bytesReceived bytes received from clients
 * @param bytesSent bytes sent to clients
 * @param fatalError the error that closed the server, or {@code null}
 */
public record ServerDescriptor(String name, AcceptState state, String address, @Nullable String host, int port,
		String spawn, @Nullable PoolDescriptor pool, int activeConnections, int maxConnections, long accepted,
		long rejected, long acceptErrors, long bytesReceived, long bytesSent, @Nullable String fatalError) {

	static ServerDescriptor of(String name, BaseServer<?, ?> server) {
		Pool pool = server.getPool();
		Throwable fatal = server.getFatalError();
		return new ServerDescriptor(name, server.getAcceptState(), Addresses.format(server.getAddress()),
				server.getServerHost(), server.getServerPort(), server.getSpawn().toString(),
				(pool != null) ? new PoolDescriptor(pool.size(), pool.activeCount()) : null,
				server.getActiveConnections(), server.getMaxConnections(), server.getAcceptedCount(), server.getRejectedCount(),
				server.getAcceptErrorCount(), server.getBytesReceived(), server.getBytesSent(),
				(fatal != null) ? fatal.toString() : null);
	}

	/**
	 * @param size how many handlers may run at once
	 * @param active slots in use
	 */
	public record PoolDescriptor(int size, int active) {
	}

}
