package dev.gserver;

import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

import org.jspecify.annotations.Nullable;

/**
 * The connections open per client IP address, and the cap on them
 * ({@link StreamServer#setMaxConnectionsPerAddress(int)}): one client cannot take every handler.
 * An address's entry goes when its last connection does, so the map holds no more entries than
 * there are open connections. Each change is one atomic {@code compute} on that address's entry:
 * connections from different addresses never wait for each other.
 */
final class AddressLimit {

	private final ConcurrentHashMap<InetAddress, Integer> open = new ConcurrentHashMap<>();

	/** The most connections per address; 0 for no cap, when nothing is counted. */
	private volatile int max;

	int getMax() {
		return this.max;
	}

	void setMax(int max) {
		this.max = max;
	}

	/** Returns whether a connection from an address has to be counted: whether there is a cap. */
	boolean isEnabled() {
		return this.max > 0;
	}

	/**
	 * Counts one more connection from {@code address} unless it has the most allowed already.
	 * A connection admitted here must be {@link #release released} once, even if the cap has been
	 * lifted since.
	 * @return whether the connection was admitted (and counted)
	 */
	boolean tryAcquire(InetAddress address) {
		int limit = this.max;
		boolean[] admitted = new boolean[1];
		this.open.compute(address, (key, count) -> {
			int current = (count != null) ? count : 0;
			if (limit > 0 && current >= limit) {
				return count;
			}
			admitted[0] = true;
			return current + 1;
		});
		return admitted[0];
	}

	/**
	 * Counts one more connection from {@code address} unless it has the most allowed already.
	 * @return its place, released once by whoever closes the connection first; {@code null} when refused
	 */
	@Nullable Slot acquire(InetAddress address) {
		return tryAcquire(address) ? new Slot(address) : null;
	}

	/** Counts one connection from {@code address} fewer; its entry goes with its last connection. */
	void release(InetAddress address) {
		this.open.computeIfPresent(address, (key, count) -> (count > 1) ? count - 1 : null);
	}

	/** Returns how many connections from {@code address} are counted as open. */
	int openConnections(InetAddress address) {
		Integer count = this.open.get(address);
		return (count != null) ? count : 0;
	}

	/** Returns how many addresses have connections counted as open. */
	int addresses() {
		return this.open.size();
	}

	/** One connection's place in its address's count: released once, however many close it. */
	final class Slot {

		private final InetAddress address;

		private final AtomicBoolean released = new AtomicBoolean();

		private Slot(InetAddress address) {
			this.address = address;
		}

		void release() {
			if (this.released.compareAndSet(false, true)) {
				AddressLimit.this.release(this.address);
			}
		}

	}

}
