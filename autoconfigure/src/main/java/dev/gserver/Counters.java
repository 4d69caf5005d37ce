package dev.gserver;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.concurrent.atomic.LongAdder;

/**
 * A server's counts: connections accepted and rejected and failed accepts, counted from the
 * server's own events (this is the first listener of each server), and the bytes its clients
 * moved, counted by the streams it hands out. Striped adders, so that many threads add without
 * contending; read only when someone asks.
 */
final class Counters implements ServerEventListener {

	final LongAdder accepted = new LongAdder();

	final LongAdder rejected = new LongAdder();

	final LongAdder acceptErrors = new LongAdder();

	final LongAdder received = new LongAdder();

	final LongAdder sent = new LongAdder();

	@Override
	public void connectionAccepted() {
		this.accepted.increment();
	}

	@Override
	public void connectionRejected() {
		this.rejected.increment();
	}

	@Override
	public void acceptFailed(Throwable error, boolean fatal, Duration delay) {
		this.acceptErrors.increment();
	}

	OutputStream counting(OutputStream out) {
		return new FilterOutputStream(out) {

			@Override
			public void write(int b) throws IOException {
				this.out.write(b);
				Counters.this.sent.increment();
			}

			@Override
			public void write(byte[] buffer, int offset, int length) throws IOException {
				// FilterOutputStream would write byte by byte
				this.out.write(buffer, offset, length);
				Counters.this.sent.add(length);
			}

		};
	}

}
