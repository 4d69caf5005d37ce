package dev.gserver.observation;

import io.micrometer.observation.Observation;

/**
 * What a request observation of {@link RequestObservations} knows: the server's name (from the
 * connection's observation it runs in) and the request's kind, as the handler named it.
 */
public class GServerRequestContext extends Observation.Context {

	private final String serverName;

	private final String command;

	public GServerRequestContext(String serverName, String command) {
		this.serverName = serverName;
		this.command = command;
	}

	/** Returns the name of the server whose connection the request came on, or {@code unknown} outside one. */
	public String getServerName() {
		return this.serverName;
	}

	/** Returns the request's kind: a low-cardinality value, such as a command's name. */
	public String getCommand() {
		return this.command;
	}

}
