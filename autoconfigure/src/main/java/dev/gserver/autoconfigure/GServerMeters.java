package dev.gserver.autoconfigure;

import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import org.jspecify.annotations.Nullable;

import dev.gserver.AcceptState;
import dev.gserver.BaseServer;
import dev.gserver.DatagramServer;
import dev.gserver.InputBudget;
import dev.gserver.Pool;
import dev.gserver.ServerEventListener;
import dev.gserver.StreamServer;

/**
 * The meters of one server, moved by its events. Every meter a plain connection moves is
 * registered up front, so that an event costs a counter increment or a timer record and allocates
 * nothing; failures and TLS handshakes register theirs at their first. Gauges and byte counters
 * read the server's live state when scraped. Tags stay low-cardinality: the server's
 * bean name, and for accept errors the exception's simple class name.
 */
class GServerMeters implements ServerEventListener {

	private static final String ACCEPT_ERRORS = "gserver.accept.errors";

	private final MeterRegistry registry;

	private final Tags tags;

	private final Counter accepted;

	/** Rejected by a full pool (or max-connections) that drops: registered up front, as are those per address. */
	private final Counter rejectedPoolFull;

	/** Rejected for the cap per client address; datagrams have no connection to cap. */
	private final @Nullable Counter rejectedPerAddress;

	private final String unit;

	private final Counter saturated;

	/** Connections closed for a deadline: by idle timeout, by write timeout. */
	private final @Nullable Counter timedOutIdle;

	private final @Nullable Counter timedOutWrite;

	/** One timer per {@link HandlerOutcome}, by ordinal. */
	private final Timer[] handlerDurations;

	/** TLS handshake timers, by success and failure: registered at the first of each, so a plaintext server has none. */
	private volatile @Nullable Timer handshakesSecured;

	private volatile @Nullable Timer handshakesFailed;

	GServerMeters(BaseServer<?, ?> server, String name, MeterRegistry registry) {
		this.registry = registry;
		this.tags = Tags.of("name", name);
		// a UDP server's unit of work is a datagram, a TCP server's a connection
		boolean udp = server instanceof DatagramServer;
		String unit = udp ? "datagrams" : "connections";
		this.unit = unit;
		this.accepted = Counter.builder(udp ? "gserver.datagrams.received" : "gserver.connections.accepted")
			.description(udp ? "Datagrams received" : "Connections accepted")
			.baseUnit(unit)
			.tags(this.tags)
			.register(registry);
		// the reasons a healthy server may see up front, so that an alert on their rate has a series at 0
		this.rejectedPoolFull = rejectedCounter(ServerEventListener.REJECTED_POOL_FULL);
		this.rejectedPerAddress = udp ? null : rejectedCounter(ServerEventListener.REJECTED_PER_ADDRESS);
		Gauge.builder("gserver." + unit + ".active", server, BaseServer::getActiveConnections)
			.description("Handlers running")
			.baseUnit(unit)
			.tags(this.tags)
			.register(registry);
		if (server instanceof DatagramServer datagrams) {
			FunctionCounter.builder("gserver.datagrams.truncated", datagrams, DatagramServer::getTruncatedCount)
				.description("Datagrams longer than the buffer size, dropped unhandled")
				.baseUnit(unit)
				.tags(this.tags)
				.register(registry);
		}
		// both reasons up front, so that an alert on the rate has a series at 0 before the first;
		// datagrams have no connection to time out
		this.timedOutIdle = udp ? null : timedOutCounter(ServerEventListener.TIMED_OUT_IDLE);
		this.timedOutWrite = udp ? null : timedOutCounter(ServerEventListener.TIMED_OUT_WRITE);
		this.saturated = Counter.builder("gserver.pool.saturated")
			.description("Times the pool became full and accepting paused")
			.baseUnit("events")
			.tags(this.tags)
			.register(registry);
		FunctionCounter.builder("gserver.bytes.received", server, BaseServer::getBytesReceived)
			.description("Bytes received from clients")
			.baseUnit("bytes")
			.tags(this.tags)
			.register(registry);
		FunctionCounter.builder("gserver.bytes.sent", server, BaseServer::getBytesSent)
			.description("Bytes sent to clients")
			.baseUnit("bytes")
			.tags(this.tags)
			.register(registry);
		for (AcceptState state : AcceptState.values()) {
			Gauge.builder("gserver.accept.state", server, (each) -> (each.getAcceptState() == state) ? 1 : 0)
				.description("1 for the server's current accept state, 0 for the others: a state set for alerts")
				.tags(this.tags)
				.tag("state", state.name().toLowerCase(Locale.ROOT).replace('_', '-'))
				.register(registry);
		}
		Pool pool = server.getPool();
		if (pool != null) {
			registerPool(pool);
		}
		HandlerOutcome[] outcomes = HandlerOutcome.values();
		this.handlerDurations = new Timer[outcomes.length];
		for (HandlerOutcome outcome : outcomes) {
			this.handlerDurations[outcome.ordinal()] = Timer.builder("gserver.handler.duration")
				.description("How long handlers ran, from spawn to the connection's close")
				.tags(this.tags)
				.tag("outcome", outcome.name().toLowerCase(Locale.ROOT))
				// no histogram unless management.metrics.distribution.percentiles-histogram asks:
				// its 100 buckets per outcome would be most of a server's series
				.maximumExpectedValue(Duration.ofHours(1))
				.register(registry);
		}
		if (server instanceof StreamServer stream) {
			registerInputBudget(stream.getInputBudget());
		}
		if (server instanceof StreamServer stream && stream.isSecure()) {
			Gauge.builder("gserver.tls.certificate.expiry", stream, GServerMeters::secondsToExpiry)
				.description("Seconds until the served TLS certificate expires; negative once expired")
				.baseUnit("seconds")
				.tags(this.tags)
				.register(registry);
		}
	}

	private void registerInputBudget(InputBudget budget) {
		Gauge.builder("gserver.input.budget.used", budget, InputBudget::getUsed)
			.description("Bytes the codecs hold for frames not yet complete, all clients together")
			.baseUnit("bytes")
			.tags(this.tags)
			.register(this.registry);
		FunctionCounter.builder("gserver.input.budget.waits", budget, InputBudget::getWaitCount)
			.description("Reads that waited for the spent input budget; the clients it refused count in "
					+ "gserver.frames.rejected{reason=over-budget}")
			.tags(this.tags)
			.register(this.registry);
	}

	/** NaN while the server was not told its certificate: Prometheus shows it, an alert on it stays quiet. */
	private static double secondsToExpiry(StreamServer server) {
		X509Certificate certificate = server.getSslCertificate();
		return (certificate != null) ? (certificate.getNotAfter().getTime() - System.currentTimeMillis()) / 1000.0
				: Double.NaN;
	}

	private void registerPool(Pool pool) {
		Gauge.builder("gserver.pool.size", pool, Pool::size)
			.description("Pool capacity: how many handlers may run at once")
			.baseUnit("threads")
			.tags(this.tags)
			.register(this.registry);
		Gauge.builder("gserver.pool.active", pool, Pool::activeCount)
			.description("Pool slots in use")
			.baseUnit("threads")
			.tags(this.tags)
			.register(this.registry);
		Gauge.builder("gserver.pool.usage", pool, (each) -> (double) each.activeCount() / each.size())
			.description("Pool fullness: slots in use over capacity, 0 to 1")
			.baseUnit("ratio")
			.tags(this.tags)
			.register(this.registry);
	}

	private Counter timedOutCounter(String reason) {
		return Counter.builder("gserver.connections.timed.out")
			.description("Connections closed for a deadline, by reason: idle (no progress either way for "
					+ "gserver.idle-timeout, or a handler's read timeout), write (a write blocked for gserver.write-timeout)")
			.baseUnit("connections")
			.tags(this.tags)
			.tag("reason", reason)
			.register(this.registry);
	}

	private Counter rejectedCounter(String reason) {
		return Counter.builder("gserver." + this.unit + ".rejected")
			.description("Accepted then closed unhandled, by reason: pool-full (a full pool or max-connections, with "
					+ "drop-when-full), spawn-failed, per-address (gserver.max-connections-per-address)")
			.baseUnit(this.unit)
			.tags(this.tags)
			.tag("reason", reason)
			.register(this.registry);
	}

	private Counter acceptErrorCounter(String exception, boolean fatal) {
		return Counter.builder(ACCEPT_ERRORS)
			.description("Failed accepts, by exception and whether they closed the server")
			.baseUnit("errors")
			.tags(this.tags)
			.tag("exception", exception)
			.tag("fatal", Boolean.toString(fatal))
			.register(this.registry);
	}

	@Override
	public void connectionAccepted() {
		this.accepted.increment();
	}

	@Override
	public void connectionTimedOut(String reason) {
		if (this.timedOutIdle != null && ServerEventListener.TIMED_OUT_IDLE.equals(reason)) {
			this.timedOutIdle.increment();
		}
		else if (this.timedOutWrite != null && ServerEventListener.TIMED_OUT_WRITE.equals(reason)) {
			this.timedOutWrite.increment();
		}
		else {
			// a transport of its own with a reason of its own: rare, looked up
			timedOutCounter(reason).increment();
		}
	}

	@Override
	public void connectionRejected(String reason) {
		if (ServerEventListener.REJECTED_POOL_FULL.equals(reason)) {
			this.rejectedPoolFull.increment();
		}
		else if (this.rejectedPerAddress != null && ServerEventListener.REJECTED_PER_ADDRESS.equals(reason)) {
			this.rejectedPerAddress.increment();
		}
		else {
			// a failed spawn, which backs accepting off anyway: rare, looked up
			rejectedCounter(reason).increment();
		}
	}

	@Override
	public void handlerFinished(HandlerOutcome outcome, long durationNanos) {
		this.handlerDurations[outcome.ordinal()].record(durationNanos, TimeUnit.NANOSECONDS);
	}

	@Override
	public void acceptFailed(Throwable error, boolean fatal, Duration delay) {
		// rare: looking the counter up here costs nothing that matters
		acceptErrorCounter(error.getClass().getSimpleName(), fatal).increment();
	}

	@Override
	public void tlsHandshakeFailed(String reason) {
		countError("gserver.tls.handshake.errors",
				"TLS handshakes that failed, by reason: timeout, closed, certificate, protocol, other", reason);
	}

	@Override
	public void tlsHandshakeFinished(boolean succeeded, long durationNanos) {
		Timer timer = succeeded ? this.handshakesSecured : this.handshakesFailed;
		if (timer == null) {
			// two threads may both get here: the registry gives both the same timer
			timer = Timer.builder("gserver.tls.handshake.duration")
				.description("How long TLS handshakes took, by outcome: success or error")
				.tags(this.tags)
				.tag("outcome", succeeded ? "success" : "error")
				.register(this.registry);
			if (succeeded) {
				this.handshakesSecured = timer;
			}
			else {
				this.handshakesFailed = timer;
			}
		}
		timer.record(durationNanos, TimeUnit.NANOSECONDS);
	}

	@Override
	public void proxyHeaderRejected(String reason) {
		countError("gserver.proxy.errors", "Connections closed for their PROXY protocol header, by reason: missing, "
				+ "untrusted, malformed, oversized, unsupported, timeout, closed", reason);
	}

	@Override
	public void frameRejected(String reason) {
		countRefused("gserver.frames.rejected",
				"Frames a codec refused, by reason: too-long, malformed, stalled, truncated, over-budget", reason, null);
	}

	/** A client refused before its handler, for one of a handful of fixed reasons: looked up per failure, which is rare. */
	private void countError(String name, String description, String reason) {
		countRefused(name, description, reason, "errors");
	}

	private void countRefused(String name, String description, String reason, @Nullable String baseUnit) {
		Counter.builder(name)
			.description(description)
			.baseUnit(baseUnit)
			.tags(this.tags)
			.tag("reason", reason)
			.register(this.registry)
			.increment();
	}

	@Override
	public void poolSaturated() {
		this.saturated.increment();
	}

}
