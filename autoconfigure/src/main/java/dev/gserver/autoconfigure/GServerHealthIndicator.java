package dev.gserver.autoconfigure;

import java.util.Locale;
import java.util.Objects;

import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

import dev.gserver.BaseServer;

/**
 * The health of one server: UP while it accepts (also while a full pool or a back-off pauses it:
 * back-pressure is normal, not an outage), OUT_OF_SERVICE while an operator paused it or when
 * it is not running, DOWN once a fatal error closed it.
 */
public class GServerHealthIndicator extends AbstractHealthIndicator {

	private final String name;

	private final BaseServer<?, ?> server;

	public GServerHealthIndicator(String name, BaseServer<?, ?> server) {
		super("gserver health check failed");
		this.name = name;
		this.server = server;
	}

	@Override
	protected void doHealthCheck(Health.Builder builder) {
		ServerDescriptor server = ServerDescriptor.of(this.name, this.server);
		switch (server.state()) {
			case ACCEPTING:
				builder.up();
				break;
			case POOL_FULL:
				builder.up().withDetail("paused", "pool-full");
				break;
			case BACKING_OFF:
				builder.up().withDetail("paused", "back-off");
				break;
			case FAILED:
				// a server fails with its error: AcceptLoop sets both together
				builder.down().withDetail("error", Objects.requireNonNull(server.fatalError(), "fatalError"));
				break;
			default:
				builder.outOfService();
				break;
		}
		builder.withDetail("state", server.state().name().toLowerCase(Locale.ROOT).replace('_', '-'))
			.withDetail("address", server.host() != null ? server.host() : server.address())
			.withDetail("port", server.port())
			.withDetail("spawn", server.spawn())
			.withDetail("activeConnections", server.activeConnections());
		if (server.maxConnections() > 0) {
			builder.withDetail("maxConnections", server.maxConnections());
		}
		if (server.pool() != null) {
			builder.withDetail("pool", server.pool());
		}
	}

}
