package dev.gserver.benchmarks;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.MeterRegistry;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import dev.gserver.ServerEventListener;
import dev.gserver.ServerEventListener.HandlerOutcome;
import dev.gserver.Spawn;
import dev.gserver.StreamServer;

/**
 * What the metrics cost per connection, with the {@code metrics} parameter: {@code off} (the
 * baseline: no registry, so no listener), {@code simple} or {@code prometheus} (see
 * {@link Metrics}).
 * <ul>
 * <li>{@link #eventsOfOneConnection}: the events a served connection fires, through the
 * server's own event dispatch, with nothing else around them;</li>
 * <li>{@link #connectAndReadEof}: a whole connection to a {@link Spawn#DEFAULT} server, as
 * {@link AcceptBenchmark} measures it: where that cost shows, if at all.</li>
 * </ul>
 * Byte counting is not here: the connections count their bytes whether metrics are on or off,
 * and the meters only read those counts when scraped.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class MetricsBenchmark {

	/**
	 * A server's event dispatch, with the metrics listener registered or not. The server is never
	 * started: only its events are used.
	 */
	@State(Scope.Benchmark)
	public static class Events {

		@Param({ "off", "simple", "prometheus" })
		public String metrics;

		/** How long the handler ran, as {@code handlerFinished} reports it; not final, so not folded. */
		long handlerNanos = TimeUnit.MICROSECONDS.toNanos(250);

		ServerEventListener events;

		private MeterRegistry registry;

		@Setup
		public void bindMetrics() {
			EventSource server = new EventSource();
			this.registry = Metrics.bind(server, this.metrics);
			this.events = server.events();
		}

		@TearDown
		public void closeRegistry() {
			Metrics.close(this.registry);
		}

	}

	/** A started {@link Spawn#DEFAULT} server whose handler returns at once, with metrics or not. */
	@State(Scope.Benchmark)
	public static class Served {

		@Param({ "off", "simple", "prometheus" })
		public String metrics;

		InetSocketAddress address;

		private StreamServer server;

		private MeterRegistry registry;

		@Setup
		public void startServer() throws IOException {
			this.server = ClosingServers.create(Spawn.DEFAULT);
			// bound before start, as the starter binds them
			this.registry = Metrics.bind(this.server, this.metrics);
			this.server.start();
			this.address = ClosingServers.address(this.server);
		}

		@TearDown
		public void stopServer() {
			this.server.stop();
			Metrics.close(this.registry);
		}

	}

	/** The events of one connection that a handler served, in the order the server fires them. */
	@Benchmark
	public void eventsOfOneConnection(Events state) {
		ServerEventListener events = state.events;
		events.connectionAccepted();
		events.handlerStarted();
		events.handlerFinished(HandlerOutcome.SUCCESS, state.handlerNanos);
	}

	@Benchmark
	public int connectAndReadEof(Served state) throws IOException {
		return LoopbackClient.connectAndReadEof(state.address);
	}

	/**
	 * Lends the benchmark a server's event dispatch: {@code getEvents()} is what a transport
	 * (a subclass) fires its events through, and what the server fires its own through.
	 */
	static final class EventSource extends StreamServer {

		EventSource() {
			super("127.0.0.1:0", (connection) -> {
			});
		}

		ServerEventListener events() {
			return getEvents();
		}

	}

}
