package dev.gserver;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts the JDK's virtual-thread I/O poller while descriptors are plenty: once per JVM, when a
 * server starts on a JVM with virtual threads. The JDK creates its poller (epoll descriptors,
 * threads) lazily, at the first virtual thread that parks on I/O; were that first park to come
 * while the process is out of descriptors, the poller class would fail to initialise, and every
 * blocking read of a virtual thread would fail from then on ("Could not initialize class
 * sun.nio.ch.Poller"), long after descriptors are back. A virtual thread parked on a pipe's read
 * makes the JDK start it now.
 */
final class PollerWarmUp {

	private static final Logger logger = LoggerFactory.getLogger(BaseServer.class);

	private static final AtomicBoolean DONE = new AtomicBoolean();

	private static final long WAIT_NANOS = TimeUnit.SECONDS.toNanos(1);

	private PollerWarmUp() {
	}

	/** Parks one virtual thread on a pipe read and wakes it, the first time it is called on a JVM with virtual threads. */
	static void ensureStarted() {
		ThreadFactory threads = Threads.named("gserver-poller-warm-up");
		if (!Threads.isVirtual(threads) || !DONE.compareAndSet(false, true)) {
			return;
		}
		try {
			Pipe pipe = Pipe.open();
			try {
				Thread reader = threads.newThread(() -> {
					try {
						pipe.source().read(ByteBuffer.allocate(1));
					}
					catch (IOException ex) {
						// the pipe closed under it: it parked all the same
					}
				});
				reader.start();
				long deadline = System.nanoTime() + WAIT_NANOS;
				// parked on the read (WAITING) means the poller is running
				while (reader.getState() != Thread.State.WAITING && reader.isAlive() && System.nanoTime() - deadline < 0) {
					Thread.onSpinWait();
				}
				pipe.sink().write(ByteBuffer.wrap(new byte[1]));
				reader.join(TimeUnit.NANOSECONDS.toMillis(WAIT_NANOS));
			}
			finally {
				pipe.sink().close();
				pipe.source().close();
			}
		}
		catch (IOException | RuntimeException | Error ex) {
			// a server runs without it, as before: a warm-up is no reason to fail a start
			logger.debug("Starting the JDK's virtual-thread poller early failed: {}", ex.toString());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
