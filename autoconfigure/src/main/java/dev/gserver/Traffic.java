package dev.gserver;

import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.util.concurrent.atomic.LongAdder;

/**
 * The bytes a server's connections have moved, in all. Striped adders, so that connections on
 * many threads add without contending; read only when someone asks.
 */
final class Traffic {

	final LongAdder received = new LongAdder();

	final LongAdder sent = new LongAdder();

	/**
	 * Counts what is read from {@code in}; a read that times out (an idle connection) runs
	 * {@code onTimeout}, then fails as it would have.
	 */
	InputStream counting(InputStream in, Runnable onTimeout) {
		return new FilterInputStream(in) {

			@Override
			public int read() throws IOException {
				int b;
				try {
					b = this.in.read();
				}
				catch (SocketTimeoutException ex) {
					onTimeout.run();
					throw ex;
				}
				if (b >= 0) {
					Traffic.this.received.increment();
				}
				return b;
			}

			@Override
			public int read(byte[] buffer, int offset, int length) throws IOException {
				int n;
				try {
					n = this.in.read(buffer, offset, length);
				}
				catch (SocketTimeoutException ex) {
					onTimeout.run();
					throw ex;
				}
				if (n > 0) {
					Traffic.this.received.add(n);
				}
				return n;
			}

		};
	}

	OutputStream counting(OutputStream out) {
		return new FilterOutputStream(out) {

			@Override
			public void write(int b) throws IOException {
				this.out.write(b);
				Traffic.this.sent.increment();
			}

			@Override
			public void write(byte[] buffer, int offset, int length) throws IOException {
				// FilterOutputStream would write byte by byte
				this.out.write(buffer, offset, length);
				Traffic.this.sent.add(length);
			}

		};
	}

}
