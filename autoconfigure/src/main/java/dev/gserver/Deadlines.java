package dev.gserver;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The write and handshake deadlines of one {@link StreamServer}: a watchdog thread, named
 * {@code <name>[<address>]-deadlines}, that closes a connection whose write has been blocked
 * for the write timeout, or for the idle timeout with nothing read meanwhile (no progress either
 * way), and one whose TLS handshake is not done within the handshake timeout. Java's blocking
 * socket writes have no timeout, and a socket's read timeout restarts with every byte (a client
 * trickling its ClientHello would never reach it); closing the channel is what ends either: the
 * blocked call fails, and the connection counts as timed out.
 * <p>
 * Writes and handshakes only stamp their connection ({@link ClientOutput},
 * {@link SocketConnection#handshakeDeadline}); nothing is allocated or signalled per write. The
 * thread scans the server's connections and parks until the earliest moment one could expire:
 * the earliest expiry among those in progress, or one shortest timeout from now, since one
 * starting later cannot expire sooner. It never spins: the wait is at least
 * {@link #slack} (1/64 of the shortest timeout, 10 ms to 1 s), which is also how late a deadline
 * may be enforced, so that many connections expiring at nearly the same time cost one scan.
 * <p>
 * Started with its server; it outlives {@code close()} as long as handlers run (they may still be
 * writing), and {@code stop()} ends it and waits for it.
 */
final class Deadlines implements Runnable, Consumer<SocketConnection> {

	private static final Logger logger = LoggerFactory.getLogger(BaseServer.class);

	private static final long MIN_SLACK = TimeUnit.MILLISECONDS.toNanos(10);

	private static final long MAX_SLACK = TimeUnit.SECONDS.toNanos(1);

	/** Longer timeouts are taken as this, so that nanosecond arithmetic cannot overflow: 100 days. */
	private static final long LONGEST = TimeUnit.DAYS.toNanos(100);

	private final StreamServer server;

	private final Object lock = new Object();

	/** The watchdog thread; {@code null} when none runs. Written under the lock. */
	private volatile @Nullable Thread thread;

	/** Whether the server is started and not closed; once not, the thread ends with the last handler. */
	private volatile boolean serving;

	/** Set by {@link #stop(Duration)}: the thread ends now. Guarded by the lock. */
	private boolean stopping;

	// one scan's state, touched by the watchdog thread only

	private long scanNow;

	private long nextExpiry;

	private long writeNanos;

	private long idleNanos;

	private long handshakeNanos;

	Deadlines(StreamServer server) {
		this.server = server;
	}

	/** Returns {@link System#nanoTime()}, never 0: 0 means "not set" in the connections' stamps. */
	static long now() {
		return System.nanoTime() | 1;
	}

	/** Returns when {@code timeout} from {@code from} ends, in {@link #now()} terms: never 0. */
	static long deadline(long from, Duration timeout) {
		return (from + nanos(timeout)) | 1;
	}

	/** Starts the thread, or keeps the one still watching the handlers of an earlier start. */
	void start(String threadName) {
		synchronized (this.lock) {
			this.serving = true;
			this.stopping = false;
			Thread current = this.thread;
			if (current != null) {
				// still watching the handlers of the previous start: it watches this one's too, under its address
				current.setName(threadName);
				LockSupport.unpark(current);
				return;
			}
			// a daemon: the accept thread keeps the JVM alive while the server runs, not this one
			Thread watchdog = new Thread(this, threadName);
			watchdog.setDaemon(true);
			this.thread = watchdog;
			try {
				watchdog.start();
			}
			catch (RuntimeException | Error ex) {
				this.thread = null;
				throw ex;
			}
		}
	}

	/** The server closed its listener: the thread ends once the last handler has. */
	void serverClosed() {
		this.serving = false;
		wakeUp();
	}

	/** A handler ended; after a close, the thread may be the last thing left. */
	void handlerEnded() {
		if (!this.serving) {
			wakeUp();
		}
	}

	/** Makes the thread look again at once: a timeout changed, or it may have to end. */
	void wakeUp() {
		Thread current = this.thread;
		if (current != null) {
			LockSupport.unpark(current);
		}
	}

	/** Ends the thread, and waits up to {@code timeout} for it; the server's handlers have ended. */
	void stop(Duration timeout) {
		Thread current;
		synchronized (this.lock) {
			this.serving = false;
			this.stopping = true;
			current = this.thread;
		}
		if (current == null || current == Thread.currentThread()) {
			return;
		}
		LockSupport.unpark(current);
		try {
			current.join(timeout.toMillis());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	@Override
	public void run() {
		for (;;) {
			// nothing interrupts this thread on purpose; a stray interrupt must not turn parking into spinning
			Thread.interrupted();
			long waitNanos;
			try {
				waitNanos = scan();
			}
			catch (RuntimeException ex) {
				logger.warn("{}: checking write deadlines failed; trying again", this.server, ex);
				waitNanos = MAX_SLACK;
			}
			synchronized (this.lock) {
				if (this.stopping || (!this.serving && this.server.getActiveConnections() == 0)) {
					this.thread = null;
					return;
				}
			}
			if (waitNanos < 0) {
				LockSupport.park(this);
			}
			else {
				LockSupport.parkNanos(this, waitNanos);
			}
		}
	}

	/**
	 * Closes the connections whose write or handshake expired, and returns how long to wait before
	 * the next scan; -1 when no deadline is set, so that only a change wakes the thread.
	 */
	private long scan() {
		long write = nanos(this.server.getWriteTimeout());
		long idle = nanos(this.server.getIdleTimeout());
		long handshake = this.server.isSecure() ? nanos(this.server.getHandshakeTimeout()) : 0;
		long shortest = shortest(shortest(write, idle), handshake);
		if (shortest == 0) {
			return -1;
		}
		this.writeNanos = write;
		this.idleNanos = idle;
		this.handshakeNanos = handshake;
		this.scanNow = System.nanoTime();
		this.nextExpiry = this.scanNow + shortest;
		this.server.forEachClient(this);
		long slack = Math.max(MIN_SLACK, Math.min(MAX_SLACK, shortest / 64));
		return Math.max(slack, this.nextExpiry - System.nanoTime());
	}

	/** The shorter of two timeouts, 0 standing for none. */
	private static long shortest(long one, long other) {
		return (one == 0) ? other : (other == 0) ? one : Math.min(one, other);
	}

	/** Checks one connection's handshake or write in progress, if any. */
	@Override
	public void accept(SocketConnection connection) {
		long handshakeDeadline = connection.handshakeDeadline;
		if (handshakeDeadline != 0 && this.handshakeNanos > 0) {
			if (this.scanNow - handshakeDeadline < 0) {
				this.nextExpiry = earliest(this.nextExpiry, handshakeDeadline);
			}
			else if (connection.handshakeDeadline == handshakeDeadline) {
				logger.debug("Closing {} of {}: its TLS handshake took longer than {} ms", connection, this.server,
						TimeUnit.NANOSECONDS.toMillis(this.handshakeNanos));
				connection.handshakeTimedOut();
			}
			return;
		}
		long since = connection.writeSince;
		if (since == 0) {
			return;
		}
		if (this.writeNanos > 0 && expired(connection, since, since + this.writeNanos,
				ServerEventListener.TIMED_OUT_WRITE)) {
			return;
		}
		if (this.idleNanos > 0) {
			// a read that brought bytes while this write waited is progress too (a handler reading on another thread)
			long read = connection.lastReadProgress();
			long quietSince = (read - since > 0) ? read : since;
			expired(connection, since, quietSince + this.idleNanos, ServerEventListener.TIMED_OUT_IDLE);
		}
	}

	private boolean expired(SocketConnection connection, long since, long expiry, String reason) {
		if (this.scanNow - expiry < 0) {
			this.nextExpiry = earliest(this.nextExpiry, expiry);
			return false;
		}
		// the same write still waits: it did not move since it was looked at
		if (connection.writeSince == since) {
			logger.debug("Closing {} of {}: a write made no progress for {} ms ({} timeout)", connection, this.server,
					TimeUnit.NANOSECONDS.toMillis(this.scanNow - since), reason);
			connection.timedOut(reason);
		}
		return true;
	}

	private static long earliest(long one, long other) {
		return (other - one < 0) ? other : one;
	}

	private static long nanos(Duration timeout) {
		return (timeout.compareTo(Duration.ofNanos(LONGEST)) > 0) ? LONGEST : timeout.toNanos();
	}

}
