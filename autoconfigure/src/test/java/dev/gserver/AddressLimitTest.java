package dev.gserver;

import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link AddressLimit}: the count per address, its cap, and the entries that go with their last connection. */
@Timeout(60)
class AddressLimitTest {

	private static final InetAddress ONE = address("192.0.2.1");

	private static final InetAddress OTHER = address("192.0.2.2");

	private static InetAddress address(String ip) {
		try {
			return InetAddress.getByName(ip);
		}
		catch (java.net.UnknownHostException ex) {
			throw new IllegalStateException(ex);
		}
	}

	@Test
	void admitsUpToTheCapPerAddressAndCountsNothingMoreForARefusal() {
		AddressLimit limit = new AddressLimit();
		limit.setMax(2);
		assertThat(limit.tryAcquire(ONE)).isTrue();
		assertThat(limit.tryAcquire(ONE)).isTrue();
		assertThat(limit.tryAcquire(ONE)).isFalse();
		assertThat(limit.tryAcquire(OTHER)).isTrue();
		assertThat(limit.openConnections(ONE)).isEqualTo(2);
		assertThat(limit.openConnections(OTHER)).isEqualTo(1);
		limit.release(ONE);
		assertThat(limit.tryAcquire(ONE)).isTrue();
		assertThat(limit.addresses()).isEqualTo(2);
	}

	@Test
	void anAddressEntryGoesWithItsLastConnectionEvenAfterTheCapIsLifted() {
		AddressLimit limit = new AddressLimit();
		limit.setMax(1);
		assertThat(limit.tryAcquire(ONE)).isTrue();
		limit.setMax(0);
		assertThat(limit.isEnabled()).isFalse();
		limit.release(ONE);
		assertThat(limit.addresses()).isZero();
		// a release with nothing counted changes nothing
		limit.release(ONE);
		assertThat(limit.openConnections(ONE)).isZero();
	}

	@Test
	void manyThreadsNeverHoldMoreThanTheCapAndLeaveNoEntry() throws Exception {
		int cap = 3;
		AddressLimit limit = new AddressLimit();
		limit.setMax(cap);
		AtomicInteger holding = new AtomicInteger();
		AtomicInteger mostHeld = new AtomicInteger();
		AtomicInteger admitted = new AtomicInteger();
		List<Thread> threads = new ArrayList<>();
		for (int t = 0; t < 8; t++) {
			Thread thread = new Thread(() -> {
				for (int i = 0; i < 20_000; i++) {
					InetAddress address = (i % 2 == 0) ? ONE : OTHER;
					if (limit.tryAcquire(address)) {
						admitted.incrementAndGet();
						if (address == ONE) {
							mostHeld.accumulateAndGet(holding.incrementAndGet(), Math::max);
							holding.decrementAndGet();
						}
						limit.release(address);
					}
				}
			}, "address-limit-" + t);
			threads.add(thread);
			thread.start();
		}
		Clients.joinAll(threads, Duration.ofSeconds(30));
		assertThat(admitted).hasPositiveValue();
		assertThat(mostHeld.get()).isBetween(1, cap);
		assertThat(limit.addresses()).isZero();
	}

}
