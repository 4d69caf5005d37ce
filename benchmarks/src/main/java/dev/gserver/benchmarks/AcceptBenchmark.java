package dev.gserver.benchmarks;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import dev.gserver.Spawn;
import dev.gserver.StreamServer;

/**
 * Accept and spawn: what one connection costs, from the client's connect to the end of stream
 * it reads once the server's handler (which does nothing) returned and the connection closed.
 * The {@code server} parameter picks who serves; the baseline is {@code serversocket}:
 * <ul>
 * <li>{@code serversocket}: gserver off, a {@link BlockingAcceptLoop} on one thread;</li>
 * <li>{@code none}: a {@link StreamServer} with {@link Spawn#NONE}, spawn off: the handler runs
 * on the accept thread;</li>
 * <li>{@code default}: {@link Spawn#DEFAULT}, a thread per connection (virtual on Java 21+);</li>
 * <li>{@code pool}: {@link Spawn#pool(int)}, a thread per connection, in a pool that never fills.</li>
 * </ul>
 * One client thread ({@code -t 1}) connects again as soon as its previous connection closed, so
 * the score is a round trip's latency, and the server is never busy with two connections.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Benchmark)
public class AcceptBenchmark {

	@Param({ "serversocket", "none", "default", "pool" })
	public String server;

	private BlockingAcceptLoop baseline;

	private StreamServer gserver;

	private InetSocketAddress address;

	@Setup
	public void startServer() throws IOException {
		if (this.server.equals("serversocket")) {
			this.baseline = BlockingAcceptLoop.start();
			this.address = this.baseline.getAddress();
			return;
		}
		this.gserver = ClosingServers.create(spawn(this.server));
		this.gserver.start();
		this.address = ClosingServers.address(this.gserver);
	}

	private static Spawn spawn(String name) {
		switch (name) {
			case "none":
				return Spawn.NONE;
			case "default":
				return Spawn.DEFAULT;
			case "pool":
				return Spawn.pool(ClosingServers.POOL_SIZE);
			default:
				throw new IllegalArgumentException("Unknown server '" + name + "'");
		}
	}

	@TearDown
	public void stopServer() throws Exception {
		if (this.baseline != null) {
			this.baseline.stop();
		}
		if (this.gserver != null) {
			this.gserver.stop();
		}
	}

	@Benchmark
	public int connectAndReadEof() throws IOException {
		return LoopbackClient.connectAndReadEof(this.address);
	}

}
