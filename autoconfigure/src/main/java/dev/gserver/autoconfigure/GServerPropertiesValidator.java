package dev.gserver.autoconfigure;

import java.net.InetSocketAddress;
import java.time.Duration;

import org.jspecify.annotations.Nullable;

import org.springframework.validation.Errors;
import org.springframework.validation.Validator;

import dev.gserver.Addresses;
import dev.gserver.DatagramServer;
import dev.gserver.Spawn;

/**
 * Checks bound gserver properties, so that a bad value fails start-up with a message naming the
 * property and the value: {@link GServerProperties} with every server under it, or the
 * {@link StreamServerProperties} one server runs with. Values Spring converts (durations, spawns,
 * CIDR ranges) are checked by the conversion itself; this checks ranges and combinations.
 */
final class GServerPropertiesValidator implements Validator {

	@Override
	public boolean supports(Class<?> type) {
		return StreamServerProperties.class.isAssignableFrom(type);
	}

	@Override
	public void validate(Object target, Errors errors) {
		validateServer((StreamServerProperties) target, errors);
		if (target instanceof GServerProperties properties) {
			properties.getServers().forEach((name, server) -> {
				errors.pushNestedPath("servers[" + name + "]");
				validateServer(server, errors);
				errors.popNestedPath();
			});
			validateUdp(properties.getUdp(), errors);
			rejectNegative(errors, "shutdownDelay", properties.getShutdownDelay());
		}
	}

	private static void validateServer(StreamServerProperties server, Errors errors) {
		rejectNotPort(errors, "port", server.getPort());
		validateAddress(server.getAddress(), errors);
		if (server.getSpawnBean() != null && server.getSpawn() != Spawn.DEFAULT) {
			errors.rejectValue("spawnBean", "exclusive", "set only one of spawn and spawn-bean");
		}
		if (server.getMaxAccept() < 1) {
			errors.rejectValue("maxAccept", "range", "must be at least 1");
		}
		if (server.getMaxConnections() < 0) {
			errors.rejectValue("maxConnections", "range", "must be 0 (no limit) or positive");
		}
		if (server.getMaxConnectionsPerAddress() < 0) {
			errors.rejectValue("maxConnectionsPerAddress", "range",
					"must be 0 (no limit) or positive: the most connections open at once from one client address");
		}
		if (server.getBacklog() != null && server.getBacklog() < 1) {
			errors.rejectValue("backlog", "range", "must be at least 1");
		}
		rejectNegative(errors, "minDelay", server.getMinDelay());
		rejectNegative(errors, "maxDelay", server.getMaxDelay());
		if (!errors.hasFieldErrors("minDelay") && !errors.hasFieldErrors("maxDelay")
				&& server.getMinDelay().compareTo(server.getMaxDelay()) > 0) {
			errors.rejectValue("maxDelay", "range", "must not be shorter than min-delay");
		}
		rejectNegative(errors, "stopTimeout", server.getStopTimeout());
		rejectNegative(errors, "idleTimeout", server.getIdleTimeout());
		rejectNegative(errors, "writeTimeout", server.getWriteTimeout());
		rejectNegative(errors, "frameTimeout", server.getFrameTimeout());
		if (server.getInputBudget() != null && server.getInputBudget().toBytes() < 1) {
			errors.rejectValue("inputBudget", "range",
					"must be at least 1B, such as 256MB; leave it unset for a quarter of the maximum heap");
		}
		rejectNotPositive(errors, "proxyProtocol.timeout", server.getProxyProtocol().getTimeout());
		rejectNotPositive(errors, "ssl.handshakeTimeout", server.getSsl().getHandshakeTimeout());
	}

	private static void validateUdp(GServerProperties.Udp udp, Errors errors) {
		rejectNotPort(errors, "udp.port", udp.getPort());
		if (udp.getBufferSize() < 1 || udp.getBufferSize() > DatagramServer.MAX_BUFFER_SIZE) {
			errors.rejectValue("udp.bufferSize", "range", "must be between 1 and " + DatagramServer.MAX_BUFFER_SIZE);
		}
	}

	private static void validateAddress(@Nullable String address, Errors errors) {
		if (address == null || address.isBlank()) {
			return;
		}
		if (Addresses.isUnixSocket(address)) {
			try {
				Addresses.parse(address);
			}
			catch (IllegalArgumentException ex) {
				errors.rejectValue("address", "invalid", String.valueOf(ex.getMessage()));
			}
			return;
		}
		if (new InetSocketAddress(address.trim(), 0).isUnresolved()) {
			errors.rejectValue("address", "invalid", "is neither an IP address nor a known host name");
		}
	}

	private static void rejectNotPort(Errors errors, String field, int port) {
		if (port < 0 || port > 65535) {
			errors.rejectValue(field, "range", "must be between 0 and 65535");
		}
	}

	private static void rejectNotPositive(Errors errors, String field, Duration value) {
		if (value == null || value.isNegative() || value.isZero()) {
			errors.rejectValue(field, "range", "must be positive");
		}
	}

	private static void rejectNegative(Errors errors, String field, Duration value) {
		if (value == null) {
			errors.rejectValue(field, "required", "must be set");
		}
		else if (value.isNegative()) {
			errors.rejectValue(field, "range", "must not be negative");
		}
	}

}
