package dev.gserver.benchmarks;

import java.net.InetAddress;
import java.net.InetSocketAddress;

import dev.gserver.Spawn;
import dev.gserver.StreamServer;

/** gserver servers whose handler does nothing, so that a connection costs only what the server does around it. */
final class ClosingServers {

	/**
	 * The pool size of the pooled variants: with one client at a time the pool never fills, so
	 * they measure the pool's bookkeeping and not its back-pressure.
	 */
	static final int POOL_SIZE = 100;

	private ClosingServers() {
	}

	/**
	 * Returns a server on 127.0.0.1 and a free port, not started yet (so that listeners can be
	 * added first, as the Spring context does), whose handler returns at once: the server then
	 * closes the connection.
	 */
	static StreamServer create(Spawn spawn) {
		StreamServer server = new StreamServer(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
				(connection) -> {
				}, spawn);
		server.setName("benchmark");
		return server;
	}

	/** Returns where a started server listens: the port it bound. */
	static InetSocketAddress address(StreamServer server) {
		return new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getServerPort());
	}

}
