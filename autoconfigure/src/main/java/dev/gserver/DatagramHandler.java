package dev.gserver;

/**
 * Serves one datagram: gevent's {@code handle(data, address)} of a {@code DatagramServer}.
 * Runs on its own thread (a virtual thread on Java 21+) unless the server's {@link Spawn} says
 * otherwise; an exception is logged with the sender's address and never stops the server.
 */
@FunctionalInterface
public interface DatagramHandler {

	/**
	 * Serves {@code datagram}; {@link Datagram#reply(byte[])} answers its sender.
	 * @throws Exception any failure; logged
	 */
	void handle(Datagram datagram) throws Exception;

}
