package dev.gserver.benchmarks;

import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.observation.DefaultMeterObservationHandler;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import dev.gserver.observation.RequestObservations;

/**
 * What {@link RequestObservations} costs a handler per request, with the {@code requests}
 * parameter: {@code direct} (the baseline: the request called as is), {@code noop} (observed
 * through {@link ObservationRegistry#NOOP}: the sample's {@code RedisHandler} as shipped, with
 * {@code sample.observe-commands} off) and {@code timed} (a registry with Micrometer's meter
 * handler, as Spring Boot's with Actuator: a timer and a long task timer per request).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ObservationBenchmark {

	@State(Scope.Benchmark)
	public static class Requests {

		@Param({ "direct", "noop", "timed" })
		public String requests;

		RequestObservations observations;

		/** What the request works on; not final, so not folded. */
		long value = 42;

		@Setup
		public void observe() {
			switch (this.requests) {
				case "direct" -> this.observations = null;
				case "noop" -> this.observations = new RequestObservations(ObservationRegistry.NOOP);
				case "timed" -> {
					ObservationRegistry registry = ObservationRegistry.create();
					registry.observationConfig().observationHandler(new DefaultMeterObservationHandler(new SimpleMeterRegistry()));
					this.observations = new RequestObservations(registry);
				}
				default -> throw new IllegalArgumentException("requests=" + this.requests);
			}
		}

		long serve() {
			return this.value * 31;
		}

	}

	/** One request, observed as the sample observes a command: a lambda capturing the request's state. */
	@Benchmark
	public long request(Requests state) {
		RequestObservations observations = state.observations;
		if (observations == null) {
			return state.serve();
		}
		return observations.observe("get", () -> state.serve());
	}

}
