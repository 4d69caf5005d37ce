package dev.gserver;

import java.net.SocketException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.awaitility.Awaitility.await;

/** {@link InputBudget}'s rules, with real threads: grant, refuse the client over its share, evict, wait, give back. */
@Timeout(30)
class InputBudgetTest {

	private static final Duration PATIENCE = Duration.ofMillis(Clients.PATIENCE_MILLIS);

	private final InputBudget budget = new InputBudget(100);

	@Test
	void grantsWithinTheLimitAndTakesBackOnReleaseAndClose() throws Exception {
		Client a = new Client();
		assertThat(a.account.reserve(60, far())).isTrue();
		assertThat(a.account.reserve(40, far())).isTrue();
		assertThat(this.budget.getUsed()).isEqualTo(100);
		a.account.release(30);
		assertThat(this.budget.getUsed()).isEqualTo(70);
		a.account.close();
		assertThat(this.budget.getUsed()).isZero();
		assertThat(this.budget.getWaitCount()).isZero();
		assertThat(this.budget.getRefusalCount()).isZero();
	}

	@Test
	void aClientAskingForMoreThanItsShareOfASpentBudgetIsRefusedAtOnce() throws Exception {
		Client a = new Client();
		Client b = new Client();
		assertThat(a.account.reserve(50, far())).isTrue();
		assertThat(b.account.reserve(40, far())).isTrue();
		// 90 + 30 is past 100, and a's 50 + 30 past its share of 50
		assertThat(a.account.reserve(30, far())).isFalse();
		assertThat(this.budget.getUsed()).isEqualTo(90);
		assertThat(this.budget.getRefusalCount()).isEqualTo(1);
		assertThat(a.evicted.getCount()).isEqualTo(1);
		assertThat(b.evicted.getCount()).isEqualTo(1);
	}

	@Test
	void aClientWithinItsShareEvictsTheLargestHolderAndWaitsForWhatItGivesBack() throws Exception {
		Client hog = new Client();
		Client small = new Client();
		Client newcomer = new Client();
		assertThat(hog.account.reserve(70, far())).isTrue();
		assertThat(small.account.reserve(20, far())).isTrue();
		CompletableFuture<Boolean> granted = CompletableFuture.supplyAsync(() -> newcomer.reserve(30));
		// 120 is past 100; the newcomer's share is 100 / 3: the hog is over it, the small client not
		assertThat(hog.evicted.await(PATIENCE.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
		assertThat(granted).isNotDone();
		await().atMost(PATIENCE).until(() -> this.budget.getWaitCount() == 1);
		// what the connection does when evicted: it closes, and its account with it
		hog.close();
		assertThat(granted.get(PATIENCE.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
		assertThat(this.budget.getUsed()).isEqualTo(50);
		assertThat(small.evicted.getCount()).isEqualTo(1);
		assertThat(this.budget.getRefusalCount()).isEqualTo(1);
	}

	@Test
	void aWaitEndsAtItsDeadlineRefused() throws Exception {
		Client hog = new Client();
		Client newcomer = new Client();
		assertThat(hog.account.reserve(90, far())).isTrue();
		long started = System.nanoTime();
		// the hog is evicted but its connection never closes: the newcomer's wait is bounded all the same
		assertThat(newcomer.account.reserve(20, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200))).isFalse();
		assertThat(System.nanoTime() - started).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(200));
		assertThat(hog.evicted.getCount()).isZero();
		assertThat(this.budget.getRefusalCount()).isEqualTo(2);
		assertThat(this.budget.getWaitCount()).isEqualTo(1);
	}

	@Test
	void closingAConnectionWakesItsOwnWaitWhichFails() throws Exception {
		Client hog = new Client();
		Client newcomer = new Client();
		assertThat(hog.account.reserve(90, far())).isTrue();
		CompletableFuture<Boolean> waiting = CompletableFuture.supplyAsync(() -> newcomer.reserve(20));
		await().atMost(PATIENCE).until(() -> this.budget.getWaitCount() == 1);
		newcomer.close();
		assertThat(waiting).failsWithin(PATIENCE).withThrowableOfType(java.util.concurrent.ExecutionException.class)
			.havingCause()
			.isInstanceOf(IllegalStateException.class)
			.havingCause()
			.isInstanceOf(SocketException.class);
		assertThat(this.budget.getUsed()).isEqualTo(90);
	}

	@Test
	void theLimitMustBePositive() {
		assertThat(InputBudget.DEFAULT_LIMIT).isEqualTo(Runtime.getRuntime().maxMemory() / 4);
		assertThatIllegalArgumentException().isThrownBy(() -> this.budget.setLimit(0)).withMessageContaining("inputBudget");
	}

	private static long far() {
		return System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
	}

	/** A connection as the budget sees it: evicted, it stays open until the test closes it. */
	private final class Client implements InputBudget.Owner {

		final CountDownLatch evicted = new CountDownLatch(1);

		final InputBudget.Account account = InputBudgetTest.this.budget.open(this);

		private volatile boolean open = true;

		@Override
		public boolean isOpen() {
			return this.open;
		}

		@Override
		public void evicted() {
			this.evicted.countDown();
		}

		void close() {
			this.open = false;
			this.account.close();
		}

		boolean reserve(long bytes) {
			try {
				return this.account.reserve(bytes, far());
			}
			catch (java.io.IOException ex) {
				throw new IllegalStateException(ex);
			}
		}

	}

}
