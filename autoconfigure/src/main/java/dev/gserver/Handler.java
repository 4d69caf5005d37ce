package dev.gserver;

/**
 * Serves one client with plain blocking I/O: gevent's {@code handle(socket, address)}.
 * <p>
 * The handler runs on its own thread (a virtual thread on Java 21+) unless the server's
 * {@link Spawn} says otherwise. When it returns or throws, the server closes the connection;
 * an exception is logged with the client's address and never stops the server.
 */
@FunctionalInterface
public interface Handler {

	/**
	 * Serves the client on the other end of {@code connection} until done.
	 * @param connection the accepted client; closed by the server when this method ends
	 * @throws Exception any failure; logged, and the connection is closed
	 */
	void handle(Connection connection) throws Exception;

}
