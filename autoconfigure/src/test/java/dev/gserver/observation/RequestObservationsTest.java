package dev.gserver.observation;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.tck.TestObservationRegistry;
import org.junit.jupiter.api.Test;

import static io.micrometer.observation.tck.TestObservationRegistryAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIOException;

/** {@link RequestObservations} observes each call, and with a no-op registry only runs it. */
class RequestObservationsTest {

	@Test
	void eachCallIsOneObservationWithItsCommandAndWhatItReturns() throws Exception {
		TestObservationRegistry registry = TestObservationRegistry.create();
		RequestObservations requests = new RequestObservations(registry, "redis.command");
		AtomicInteger ran = new AtomicInteger();
		requests.observe("SET", ran::incrementAndGet);
		assertThat(requests.observe("GET", () -> "value")).isEqualTo("value");
		assertThat(ran).hasValue(1);
		assertThat(registry).hasNumberOfObservationsWithNameEqualTo("redis.command", 2)
			.forAllObservationsWithNameEqualTo("redis.command", (observation) -> observation.doesNotHaveError()
				// outside an observed connection there is no server to name
				.hasLowCardinalityKeyValue("name", "unknown"));
	}

	@Test
	void whatARequestThrowsMarksItsObservationAndIsThrownOn() {
		TestObservationRegistry registry = TestObservationRegistry.create();
		RequestObservations requests = new RequestObservations(registry);
		assertThatIOException().isThrownBy(() -> requests.observe("GET", () -> {
			throw new IOException("broken pipe");
		})).withMessage("broken pipe");
		assertThat(registry).hasObservationWithNameEqualTo(RequestObservations.DEFAULT_NAME)
			.that()
			.hasLowCardinalityKeyValue("command", "GET")
			.hasBeenStopped()
			.assertThatError()
			.hasMessage("broken pipe");
	}

	@Test
	void aNoopRegistryRunsTheRequestAndObservesNothing() throws Exception {
		RequestObservations requests = new RequestObservations(ObservationRegistry.NOOP);
		AtomicInteger ran = new AtomicInteger();
		requests.observe("PING", ran::incrementAndGet);
		assertThat(requests.observe("GET", () -> "value")).isEqualTo("value");
		assertThat(ran).hasValue(1);
		// a registry with no handler is as cheap: it is no-op too
		assertThat(ObservationRegistry.create().isNoop()).isTrue();
	}

}
