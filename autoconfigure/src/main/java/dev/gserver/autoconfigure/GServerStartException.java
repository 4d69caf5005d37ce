package dev.gserver.autoconfigure;

/** A gserver server failed to start; the cause says why (for a bind failure, naming the address). */
public class GServerStartException extends RuntimeException {

	private static final long serialVersionUID = 1L;

	private final String serverName;

	public GServerStartException(String serverName, Throwable cause) {
		super("Unable to start gserver '" + serverName + "': " + cause.getMessage(), cause);
		this.serverName = serverName;
	}

	/** Returns the bean name of the server that failed. */
	public String getServerName() {
		return this.serverName;
	}

}
