package dev.gserver.autoconfigure;

import dev.gserver.AcceptState;
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
 * @param accepted connections accepted
 * @param rejected connections closed unhandled
 * @param acceptErrors failed accepts
 * @param bytesReceived bytes received from clients
 * @param bytesSent bytes sent to clients
 * @param fatalError the error that closed the server, or {@code null}
 */
public record ServerDescriptor(String name, AcceptState state, String address, String host, int port, String spawn,
		PoolDescriptor pool, int activeConnections, long accepted, long rejected, long acceptErrors, long bytesReceived,
		long bytesSent, String fatalError) {

	static ServerDescriptor of(String name, BaseServer<?, ?> server) {
		Pool pool = server.getPool();
		Throwable fatal = server.getFatalError();
		return new ServerDescriptor(name, server.getAcceptState(), address(server),
				server.getServerHost(), server.getServerPort(), server.getSpawn().toString(),
				(pool != null) ? new PoolDescriptor(pool.size(), pool.activeCount()) : null,
				server.getActiveConnections(), server.getAcceptedCount(), server.getRejectedCount(),
				server.getAcceptErrorCount(), server.getBytesReceived(), server.getBytesSent(),
				(fatal != null) ? fatal.toString() : null);
	}

	/** Writes the address as gserver reads it: {@code 127.0.0.1:7000}, {@code [::]:7000}, {@code unix:/path}. */
	private static String address(BaseServer<?, ?> server) {
		String host = server.getServerHost();
		if (host == null) {
			return "unix:" + server.getAddress();
		}
		return (host.contains(":") ? "[" + host + "]" : host) + ":" + server.getServerPort();
	}

	/**
	 * @param size how many handlers may run at once
	 * @param active slots in use
	 */
	public record PoolDescriptor(int size, int active) {
	}

}
