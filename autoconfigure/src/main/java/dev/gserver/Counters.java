package dev.gserver;

import java.time.Duration;
import java.util.concurrent.atomic.LongAdder;

/**
 * A server's counts: connections accepted and rejected (in all, and for their address's cap) and
 * failed accepts, counted from the server's own events (this is the first listener of each
 * server), and the bytes its clients moved, counted by the streams it hands out
 * ({@link ClientInput}, {@link ClientOutput}). Striped adders, so that many threads add without contending; read only when someone asks.
 */
final class Counters implements ServerEventListener {

	final LongAdder accepted = new LongAdder();

	final LongAdder rejected = new LongAdder();

	/** The part of {@link #rejected} refused for their address's connection cap. */
	final LongAdder rejectedPerAddress = new LongAdder();

	final LongAdder acceptErrors = new LongAdder();

	final LongAdder received = new LongAdder();

	final LongAdder sent = new LongAdder();

	@Override
	public void connectionAccepted() {
		this.accepted.increment();
	}

	@Override
	public void connectionRejected(String reason) {
		this.rejected.increment();
		if (REJECTED_PER_ADDRESS.equals(reason)) {
			this.rejectedPerAddress.increment();
		}
	}

	@Override
	public void acceptFailed(Throwable error, boolean fatal, Duration delay) {
		this.acceptErrors.increment();
	}

}
