package dev.gserver.observation;

import java.net.SocketAddress;

import io.micrometer.observation.Observation;
import org.jspecify.annotations.Nullable;

import dev.gserver.Client;
import dev.gserver.Connection;
import dev.gserver.ServerEventListener.HandlerOutcome;

/**
 * What a {@code gserver.connection} observation knows of its connection: the server's name, the
 * client and its address, and once the handler has ended, the outcome. A
 * {@link GServerConnectionObservationConvention} turns it into key values.
 */
public class GServerConnectionContext extends Observation.Context {

	private final String serverName;

	private final Client client;

	private volatile @Nullable HandlerOutcome outcome;

	public GServerConnectionContext(String serverName, Client client) {
		this.serverName = serverName;
		this.client = client;
	}

	/** Returns the name of the server that accepted the connection: its bean name under Spring Boot. */
	public String getServerName() {
		return this.serverName;
	}

	/** Returns the client's address: the PROXY header's when there was one. */
	public @Nullable SocketAddress getRemoteAddress() {
		return this.client.getRemoteAddress();
	}

	/** Returns the connection (TLS session, local address), or {@code null} for a client that is none. */
	public @Nullable Connection getConnection() {
		return (this.client instanceof Connection connection) ? connection : null;
	}

	/** Returns how the handler ended, or {@code null} while it runs. */
	public @Nullable HandlerOutcome getOutcome() {
		return this.outcome;
	}

	public void setOutcome(HandlerOutcome outcome) {
		this.outcome = outcome;
	}

}
