package dev.gserver.autoconfigure;

import java.net.InetAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.Errors;
import org.springframework.validation.Validator;

import dev.gserver.Spawn;

/**
 * Configuration of gserver: the default TCP server ({@code gserver.*}, inherited from
 * {@link StreamServerProperties}), further TCP servers ({@code gserver.servers.<name>.*}), the
 * UDP server ({@code gserver.udp.*}) and what applies to them all. An unknown key under
 * {@code gserver.*} fails the binding, so that a typo does not go unnoticed. Once bound, the
 * values are checked by {@link GServerPropertiesValidator}.
 */
@ConfigurationProperties(prefix = "gserver", ignoreUnknownFields = false)
public class GServerProperties extends StreamServerProperties implements Validator {

	/**
	 * Whether to run gserver servers: the default one for the Handler bean, and each one under
	 * 'gserver.servers'.
	 */
	private boolean enabled = true;

	/**
	 * Whether to close the application context when a server closes on a fatal accept error.
	 * Otherwise the application stays up and the server reports the error.
	 */
	private boolean shutdownOnFatalError;

	/**
	 * On shutdown, readiness refuses traffic at once while the listeners keep accepting for this
	 * long, so that load balancers stop sending before anyone is refused; then they close and
	 * drain within their stop timeout. For every server at once: one readiness covers them all.
	 * Counts within 'spring.lifecycle.timeout-per-shutdown-phase', as the stop timeout does.
	 */
	private Duration shutdownDelay = Duration.ZERO;

	/**
	 * Further TCP servers by name, each with the properties of the default server ('port',
	 * 'handler', 'ssl.bundle', ...). A property a server does not set takes the value of the
	 * same 'gserver.*' property. Each server is a bean named after its key.
	 */
	private final Map<String, StreamServerProperties> servers = new LinkedHashMap<>();

	private final Udp udp = new Udp();

	public boolean isEnabled() {
		return this.enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public boolean isShutdownOnFatalError() {
		return this.shutdownOnFatalError;
	}

	public void setShutdownOnFatalError(boolean shutdownOnFatalError) {
		this.shutdownOnFatalError = shutdownOnFatalError;
	}

	public Duration getShutdownDelay() {
		return this.shutdownDelay;
	}

	public void setShutdownDelay(Duration shutdownDelay) {
		this.shutdownDelay = shutdownDelay;
	}

	/**
	 * Returns the further servers as declared: a property a server does not declare holds its
	 * class default here; the server itself runs with the value of {@code gserver.*}.
	 */
	public Map<String, StreamServerProperties> getServers() {
		return this.servers;
	}

	public Udp getUdp() {
		return this.udp;
	}

	@Override
	public boolean supports(Class<?> type) {
		return GServerProperties.class.isAssignableFrom(type);
	}

	@Override
	public void validate(Object target, Errors errors) {
		new GServerPropertiesValidator().validate(target, errors);
	}

	/** The UDP server, run when the context has a DatagramHandler bean. */
	public static class Udp {

		/**
		 * Local address to receive datagrams on. Every local address when not set.
		 */
		private @Nullable InetAddress address;

		/**
		 * UDP port to receive datagrams on, 0 for any free port (published as
		 * 'local.gserver.udp.port').
		 */
		private int port = 7000;

		/**
		 * How each datagram's handler runs: 'default', 'raw', 'none' or a pool size; while a pool
		 * is full, datagrams wait in the socket's receive buffer.
		 */
		private Spawn spawn = Spawn.DEFAULT;

		/**
		 * Longest datagram handled, in bytes; a longer one is dropped and counted in
		 * 'gserver.datagrams.truncated'. At most 65507.
		 */
		private int bufferSize = 8192;

		public @Nullable InetAddress getAddress() {
			return this.address;
		}

		public void setAddress(@Nullable InetAddress address) {
			this.address = address;
		}

		public int getPort() {
			return this.port;
		}

		public void setPort(int port) {
			this.port = port;
		}

		public Spawn getSpawn() {
			return this.spawn;
		}

		public void setSpawn(Spawn spawn) {
			this.spawn = spawn;
		}

		public int getBufferSize() {
			return this.bufferSize;
		}

		public void setBufferSize(int bufferSize) {
			this.bufferSize = bufferSize;
		}

	}

}
