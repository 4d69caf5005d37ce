package dev.gserver;

import java.net.SocketAddress;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import org.slf4j.MDC;

/**
 * The SLF4J MDC keys a server sets on a handler's thread, so that every line the handler (and
 * gserver on its behalf) logs tells which connection it is about. They are set once the client is
 * ready (after its PROXY protocol header, so the client address is the real client's) and the
 * thread's previous MDC is restored when the handler ends, so that a pooled or reused thread
 * carries nothing from one connection to the next.
 */
public final class ConnectionMdc {

	/** The server's name ({@link BaseServer#getName()}; in Spring Boot, the server's bean name). */
	public static final String SERVER = "gserver.server";

	/** The connection's number on its server: 1 for the first connection the server accepted, then 2, 3, ... */
	public static final String CONNECTION = "gserver.connection";

	/** The client's address, as {@code host:port}: the one a PROXY protocol header told, when there was one. */
	public static final String CLIENT = "gserver.client";

	private ConnectionMdc() {
	}

	/** Sets the keys and returns the thread's MDC before, for {@link #restore(Map)}. */
	static Map<String, String> enter(String server, long connection, @Nullable SocketAddress client) {
		Map<String, String> previous = MDC.getCopyOfContextMap();
		MDC.put(SERVER, server);
		MDC.put(CONNECTION, Long.toString(connection));
		MDC.put(CLIENT, Addresses.format(client));
		return previous;
	}

	/** Puts back the MDC {@link #enter} found, dropping whatever the handler added too. */
	static void restore(Map<String, String> previous) {
		if (previous == null || previous.isEmpty()) {
			MDC.clear();
		}
		else {
			MDC.setContextMap(previous);
		}
	}

}
