package dev.gserver;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

@Timeout(30)
class PoolTest {

	@Test
	void countsSlots() throws Exception {
		Pool pool = new Pool(2);
		CountDownLatch release = new CountDownLatch(1);
		CountDownLatch running = new CountDownLatch(2);
		assertThat(pool.size()).isEqualTo(2);
		assertThat(pool.freeCount()).isEqualTo(2);
		assertThat(pool.isFull()).isFalse();
		pool.spawn(() -> awaitQuietly(running, release));
		assertThat(pool.activeCount()).isEqualTo(1);
		assertThat(pool.freeCount()).isEqualTo(1);
		pool.spawn(() -> awaitQuietly(running, release));
		assertThat(pool.isFull()).isTrue();
		assertThat(pool.freeCount()).isZero();
		assertThatExceptionOfType(RejectedExecutionException.class).isThrownBy(() -> pool.spawn(() -> {
		})).withMessageContaining("full");
		assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
		release.countDown();
		assertThat(pool.join(Duration.ofSeconds(10))).isTrue();
		assertThat(pool.activeCount()).isZero();
		assertThat(pool.isFull()).isFalse();
	}

	@Test
	void joinTimesOutWhileTasksRun() throws Exception {
		Pool pool = new Pool(1);
		CountDownLatch release = new CountDownLatch(1);
		CountDownLatch running = new CountDownLatch(1);
		pool.spawn(() -> awaitQuietly(running, release));
		assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
		assertThat(pool.join(Duration.ofMillis(50))).isFalse();
		assertThat(pool.activeCount()).isEqualTo(1);
		release.countDown();
		assertThat(pool.join(Duration.ofSeconds(10))).isTrue();
	}

	@Test
	void killInterruptsRunningTasks() throws Exception {
		Pool pool = new Pool(3);
		CountDownLatch never = new CountDownLatch(1);
		CountDownLatch running = new CountDownLatch(3);
		AtomicInteger interrupted = new AtomicInteger();
		for (int i = 0; i < 3; i++) {
			pool.spawn(() -> {
				running.countDown();
				try {
					never.await();
				}
				catch (InterruptedException ex) {
					interrupted.incrementAndGet();
				}
			});
		}
		assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
		assertThat(pool.kill(Duration.ofSeconds(10))).isTrue();
		assertThat(interrupted).hasValue(3);
		assertThat(pool.activeCount()).isZero();
	}

	@Test
	void rejectsSizeBelowOne() {
		assertThatIllegalArgumentException().isThrownBy(() -> new Pool(0)).withMessageContaining("at least 1");
	}

	private static void awaitQuietly(CountDownLatch running, CountDownLatch release) {
		running.countDown();
		try {
			release.await();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
