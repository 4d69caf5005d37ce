package dev.gserver.autoconfigure;

import java.net.InetSocketAddress;
import java.time.Duration;

import org.springframework.validation.Errors;

import dev.gserver.Addresses;
import dev.gserver.DatagramServer;
import dev.gserver.Spawn;
import dev.gserver.proxy.CidrRange;

/**
 * Checks bound {@link GServerProperties}, so that a bad value fails start-up with a message
 * naming the property and the value; the property classes themselves hold no logic.
 */
final class GServerPropertiesValidator {

	private GServerPropertiesValidator() {
	}

	static void validate(GServerProperties properties, Errors errors) {
		if (properties.getPort() < 0 || properties.getPort() > 65535) {
			errors.rejectValue("port", "range", "must be between 0 and 65535");
		}
		try {
			Spawn.parse(properties.getSpawn());
		}
		catch (IllegalArgumentException ex) {
			errors.rejectValue("spawn", "invalid", ex.getMessage());
		}
		if (properties.getMaxAccept() < 1) {
			errors.rejectValue("maxAccept", "range", "must be at least 1");
		}
		for (String range : properties.getProxyProtocolTrusted()) {
			try {
				CidrRange.parse(range);
			}
			catch (IllegalArgumentException ex) {
				errors.rejectValue("proxyProtocolTrusted", "invalid", ex.getMessage());
			}
		}
		rejectNotPositive(errors, "proxyProtocolTimeout", properties.getProxyProtocolTimeout());
		if (properties.getMaxConnections() < 0) {
			errors.rejectValue("maxConnections", "range", "must be 0 (no limit) or positive");
		}
		if (properties.getBacklog() < 1) {
			errors.rejectValue("backlog", "range", "must be at least 1");
		}
		rejectNegative(errors, "minDelay", properties.getMinDelay());
		rejectNegative(errors, "maxDelay", properties.getMaxDelay());
		rejectNegative(errors, "stopTimeout", properties.getStopTimeout());
		validateAddress(properties.getAddress(), errors);
		rejectNegative(errors, "idleTimeout", properties.getIdleTimeout());
		rejectNegative(errors, "writeTimeout", properties.getWriteTimeout());
		rejectNegative(errors, "frameTimeout", properties.getFrameTimeout());
		if (properties.getUdp().getPort() < 0 || properties.getUdp().getPort() > 65535) {
			errors.rejectValue("udp.port", "range", "must be between 0 and 65535");
		}
		if (properties.getUdp().getBufferSize() < 1 || properties.getUdp().getBufferSize() > DatagramServer.MAX_BUFFER_SIZE) {
			errors.rejectValue("udp.bufferSize", "range", "must be between 1 and " + DatagramServer.MAX_BUFFER_SIZE);
		}
		try {
			Spawn.parse(properties.getUdp().getSpawn());
		}
		catch (IllegalArgumentException ex) {
			errors.rejectValue("udp.spawn", "invalid", ex.getMessage());
		}
		rejectNotPositive(errors, "ssl.handshakeTimeout", properties.getSsl().getHandshakeTimeout());
		if (!errors.hasFieldErrors("minDelay") && !errors.hasFieldErrors("maxDelay")
				&& properties.getMinDelay().compareTo(properties.getMaxDelay()) > 0) {
			errors.rejectValue("maxDelay", "range", "must not be shorter than gserver.min-delay");
		}
	}

	private static void validateAddress(String address, Errors errors) {
		if (address == null || address.isBlank()) {
			return;
		}
		if (Addresses.isUnixSocket(address)) {
			try {
				Addresses.parse(address);
			}
			catch (IllegalArgumentException ex) {
				errors.rejectValue("address", "invalid", ex.getMessage());
			}
			return;
		}
		if (new InetSocketAddress(address.trim(), 0).isUnresolved()) {
			errors.rejectValue("address", "invalid", "is neither an IP address nor a known host name");
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
