package dev.gserver;

import java.net.BindException;

/**
 * Binding failed because another socket already listens on the address: the one bind failure
 * that an operator fixes by freeing the port or choosing another.
 */
public class PortInUseException extends BindException {

	private static final long serialVersionUID = 1L;

	private final String address;

	private final int port;

	PortInUseException(String address, int port, String reason) {
		super("Port " + port + " is already in use: failed to bind " + address + " (" + reason + ")");
		this.address = address;
		this.port = port;
	}

	/** Returns the address that could not be bound, as {@code host:port}. */
	public String getAddress() {
		return this.address;
	}

	/** Returns the port that is in use. */
	public int getPort() {
		return this.port;
	}

}
