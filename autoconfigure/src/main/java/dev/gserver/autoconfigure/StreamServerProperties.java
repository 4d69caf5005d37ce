package dev.gserver.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.util.unit.DataSize;

import dev.gserver.Spawn;
import dev.gserver.proxy.CidrRange;
import dev.gserver.proxy.ProxyProtocolMode;

/**
 * The properties of one TCP server: {@code gserver.*} for the default server, and
 * {@code gserver.servers.<name>.*} for each further one, whose unset values are those of
 * {@code gserver.*}. JavaBean accessors only: {@link GServerPropertiesValidator} checks them and
 * {@link ServerFactory} applies them.
 */
public class StreamServerProperties {

	/**
	 * Name of the Handler (or DatagramHandler) bean this server runs. The default server takes
	 * the one Handler bean no other server claims; a server under 'gserver.servers.<name>' takes
	 * the bean named '<name>Handler' or '<name>'.
	 */
	private @Nullable String handler;

	/**
	 * Local address to listen on: an IP address or host name, or 'unix:/path/to.sock' for a Unix
	 * domain socket. Every local address when not set.
	 */
	private @Nullable String address;

	/**
	 * Where the listener comes from: 'address' binds gserver.address and gserver.port;
	 * 'inherited' serves the socket the JVM inherited on its standard input (systemd socket
	 * activation with StandardInput=socket, or inetd).
	 */
	private Listener listener = Listener.ADDRESS;

	/**
	 * How long a connection may make no progress either way before it is closed, as Redis's
	 * 'timeout': a read that gets nothing or a write that moves nothing for this long. A handler
	 * may change it for its reads. 0 turns it off.
	 */
	private Duration idleTimeout = Duration.ZERO;

	/**
	 * How long a write may stay blocked on a client that does not read before the connection is
	 * closed; a client reading slowly but steadily is never cut. 0 turns it off.
	 */
	private Duration writeTimeout = Duration.ofSeconds(60);

	/**
	 * How long a frame (a line, a length-prefixed message) read with a FrameReader may take from
	 * its first byte to its last, so that a client sending a byte now and then cannot hold a
	 * handler. A slower frame is refused as 'stalled'. 0 turns it off.
	 */
	private Duration frameTimeout = Duration.ofSeconds(30);

	/**
	 * Most bytes the server's codecs may hold, all clients together, for frames not yet complete
	 * (a bulk string arriving). While it is spent, readers wait for it, and the client holding
	 * more than its share is refused ('over-budget'). A quarter of the maximum heap when not set.
	 */
	private @Nullable DataSize inputBudget;

	/**
	 * Port to listen on, 0 for any free port (published as 'local.gserver.<name>.port', and as 'local.gserver.port' for the default server).
	 */
	private int port = 7000;

	/**
	 * How each connection's handler runs: 'default' (a virtual thread per connection on Java 21+,
	 * named after the server), 'raw' (an unnamed thread per connection), 'none' (inline on the
	 * accept thread), or a pool size such as '1000' (at most that many handlers at once; while
	 * the pool is full the server stops accepting).
	 */
	private Spawn spawn = Spawn.DEFAULT;

	/**
	 * Name of a Pool or Executor bean to run handlers with, instead of 'spawn'.
	 */
	private @Nullable String spawnBean;

	/**
	 * Most connections accepted per wake-up of the accept thread.
	 */
	private int maxAccept = 100;

	/**
	 * First pause of accepting after a failed accept or spawn; doubles per consecutive failure.
	 */
	private Duration minDelay = Duration.ofMillis(10);

	/**
	 * Longest pause of accepting after failed accepts or spawns.
	 */
	private Duration maxDelay = Duration.ofSeconds(1);

	/**
	 * How long a shutdown waits for running handlers before closing their connections and
	 * interrupting them. Bounded by 'spring.lifecycle.timeout-per-shutdown-phase'.
	 */
	private Duration stopTimeout = Duration.ofSeconds(1);

	/**
	 * Length of the kernel's queue of connections not yet accepted. The system's own limit when
	 * not set (net.core.somaxconn: 4096 on Linux 5.4+), or 511 where it cannot be read.
	 */
	private @Nullable Integer backlog;

	/**
	 * Whether to set SO_REUSEADDR on the listener, so that a restart can bind while old
	 * connections linger.
	 */
	private boolean reuseAddress = true;

	/**
	 * Whether to set SO_REUSEPORT on the listener, so that several processes on one host can
	 * listen on the same port and the kernel spreads new connections among them.
	 */
	private boolean reusePort;

	/**
	 * Most connections handled at once, whatever the spawn; at the limit the server pauses
	 * accepting (or drops new connections with 'drop-when-full') until one ends. 0 for no limit.
	 */
	private int maxConnections;

	/**
	 * Most connections open at once from one client IP address (the PROXY header's source when
	 * there is one); a connection over it is closed at once, before any TLS handshake. 0 for no
	 * limit, the default: behind a load balancer without the PROXY protocol every connection
	 * comes from the balancer's address.
	 */
	private int maxConnectionsPerAddress;

	/**
	 * Whether to set TCP_NODELAY on accepted connections, so that small replies leave at once.
	 */
	private boolean tcpNoDelay = true;

	/**
	 * Whether a full pool accepts and closes new connections at once instead of leaving them
	 * in the backlog until a slot frees.
	 */
	private boolean dropWhenFull;

	private final Ssl ssl = new Ssl();

	private final ProxyProtocol proxyProtocol = new ProxyProtocol();

	public @Nullable String getHandler() {
		return this.handler;
	}

	public void setHandler(@Nullable String handler) {
		this.handler = handler;
	}

	public @Nullable String getAddress() {
		return this.address;
	}

	public void setAddress(@Nullable String address) {
		this.address = address;
	}

	public Listener getListener() {
		return this.listener;
	}

	public void setListener(Listener listener) {
		this.listener = listener;
	}

	public Duration getIdleTimeout() {
		return this.idleTimeout;
	}

	public void setIdleTimeout(Duration idleTimeout) {
		this.idleTimeout = idleTimeout;
	}

	public Duration getWriteTimeout() {
		return this.writeTimeout;
	}

	public void setWriteTimeout(Duration writeTimeout) {
		this.writeTimeout = writeTimeout;
	}

	public @Nullable DataSize getInputBudget() {
		return this.inputBudget;
	}

	public void setInputBudget(@Nullable DataSize inputBudget) {
		this.inputBudget = inputBudget;
	}

	public Duration getFrameTimeout() {
		return this.frameTimeout;
	}

	public void setFrameTimeout(Duration frameTimeout) {
		this.frameTimeout = frameTimeout;
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

	public @Nullable String getSpawnBean() {
		return this.spawnBean;
	}

	public void setSpawnBean(@Nullable String spawnBean) {
		this.spawnBean = spawnBean;
	}

	public int getMaxAccept() {
		return this.maxAccept;
	}

	public void setMaxAccept(int maxAccept) {
		this.maxAccept = maxAccept;
	}

	public Duration getMinDelay() {
		return this.minDelay;
	}

	public void setMinDelay(Duration minDelay) {
		this.minDelay = minDelay;
	}

	public Duration getMaxDelay() {
		return this.maxDelay;
	}

	public void setMaxDelay(Duration maxDelay) {
		this.maxDelay = maxDelay;
	}

	public Duration getStopTimeout() {
		return this.stopTimeout;
	}

	public void setStopTimeout(Duration stopTimeout) {
		this.stopTimeout = stopTimeout;
	}

	public @Nullable Integer getBacklog() {
		return this.backlog;
	}

	public void setBacklog(@Nullable Integer backlog) {
		this.backlog = backlog;
	}

	public boolean isReuseAddress() {
		return this.reuseAddress;
	}

	public void setReuseAddress(boolean reuseAddress) {
		this.reuseAddress = reuseAddress;
	}

	public boolean isReusePort() {
		return this.reusePort;
	}

	public void setReusePort(boolean reusePort) {
		this.reusePort = reusePort;
	}

	public int getMaxConnections() {
		return this.maxConnections;
	}

	public void setMaxConnections(int maxConnections) {
		this.maxConnections = maxConnections;
	}

	public int getMaxConnectionsPerAddress() {
		return this.maxConnectionsPerAddress;
	}

	public void setMaxConnectionsPerAddress(int maxConnectionsPerAddress) {
		this.maxConnectionsPerAddress = maxConnectionsPerAddress;
	}

	public boolean isTcpNoDelay() {
		return this.tcpNoDelay;
	}

	public void setTcpNoDelay(boolean tcpNoDelay) {
		this.tcpNoDelay = tcpNoDelay;
	}

	public boolean isDropWhenFull() {
		return this.dropWhenFull;
	}

	public void setDropWhenFull(boolean dropWhenFull) {
		this.dropWhenFull = dropWhenFull;
	}

	public Ssl getSsl() {
		return this.ssl;
	}

	public ProxyProtocol getProxyProtocol() {
		return this.proxyProtocol;
	}

	/** Where the listener comes from. */
	public enum Listener {

		/** Bind the configured address and port. */
		ADDRESS,

		/** Serve the socket inherited on standard input (systemd socket activation, inetd). */
		INHERITED

	}

	/** TLS, from a Spring SSL bundle. */
	public static class Ssl {

		/**
		 * Name of the SSL bundle whose key and certificates the server uses. Plaintext when not
		 * set. A reloaded bundle applies to new connections.
		 */
		private @Nullable String bundle;

		/**
		 * Whether clients must present a certificate: 'none', 'want' (asked for, optional) or
		 * 'need' (mutual TLS).
		 */
		private ClientAuth clientAuth = ClientAuth.NONE;

		/**
		 * How long a client gets to complete its whole TLS handshake, however it paces its bytes.
		 */
		private Duration handshakeTimeout = Duration.ofSeconds(10);

		public @Nullable String getBundle() {
			return this.bundle;
		}

		public void setBundle(@Nullable String bundle) {
			this.bundle = bundle;
		}

		public ClientAuth getClientAuth() {
			return this.clientAuth;
		}

		public void setClientAuth(ClientAuth clientAuth) {
			this.clientAuth = clientAuth;
		}

		public Duration getHandshakeTimeout() {
			return this.handshakeTimeout;
		}

		public void setHandshakeTimeout(Duration handshakeTimeout) {
			this.handshakeTimeout = handshakeTimeout;
		}

	}

	/** Whether to ask for client certificates. */
	public enum ClientAuth {

		/** Do not ask. */
		NONE,

		/** Ask, and accept clients without one. */
		WANT,

		/** Close connections without a trusted certificate. */
		NEED

	}

	/** The PROXY protocol header from a load balancer. */
	public static class ProxyProtocol {

		/**
		 * Whether connections start with a PROXY protocol header (v1 or v2) from a load balancer:
		 * 'off', 'optional' (read when present; the client must speak first) or 'required' (a
		 * connection without one is closed). The handler then sees the original client's address.
		 */
		private ProxyProtocolMode mode = ProxyProtocolMode.OFF;

		/**
		 * Sources whose PROXY header is believed, as CIDR ranges such as '10.0.0.0/8,127.0.0.1/32'.
		 * A header from any other source is not read ('optional') or closes the connection
		 * ('required'). Every source when empty.
		 */
		private List<CidrRange> trusted = new ArrayList<>();

		/**
		 * How long a client gets to send its PROXY header before it is closed.
		 */
		private Duration timeout = Duration.ofSeconds(5);

		public ProxyProtocolMode getMode() {
			return this.mode;
		}

		public void setMode(ProxyProtocolMode mode) {
			this.mode = mode;
		}

		public List<CidrRange> getTrusted() {
			return this.trusted;
		}

		public void setTrusted(List<CidrRange> trusted) {
			this.trusted = trusted;
		}

		public Duration getTimeout() {
			return this.timeout;
		}

		public void setTimeout(Duration timeout) {
			this.timeout = timeout;
		}

	}

}
