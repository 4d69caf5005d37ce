package dev.gserver;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** Records what a server reports, for tests to assert on. */
class RecordingListener implements ServerEventListener {

	final AtomicInteger accepted = new AtomicInteger();

	final AtomicInteger rejected = new AtomicInteger();

	/** The reasons of {@link #connectionRejected(String)}, in order. */
	final List<String> rejectedReasons = new CopyOnWriteArrayList<>();

	final AtomicInteger started = new AtomicInteger();

	final AtomicInteger saturated = new AtomicInteger();

	final AtomicInteger closed = new AtomicInteger();

	final AtomicInteger paused = new AtomicInteger();

	/** The reasons of {@link #connectionTimedOut(String)}, in order. */
	final List<String> timedOut = new CopyOnWriteArrayList<>();

	final List<String> framesRejected = new CopyOnWriteArrayList<>();

	final AtomicInteger resumed = new AtomicInteger();

	final List<HandlerOutcome> outcomes = new CopyOnWriteArrayList<>();

	final List<Throwable> acceptErrors = new CopyOnWriteArrayList<>();

	final List<Boolean> acceptErrorsFatal = new CopyOnWriteArrayList<>();

	final List<Duration> delays = new CopyOnWriteArrayList<>();

	final List<Throwable> spawnErrors = new CopyOnWriteArrayList<>();

	@Override
	public void connectionAccepted() {
		this.accepted.incrementAndGet();
	}

	@Override
	public void connectionRejected(String reason) {
		this.rejectedReasons.add(reason);
		this.rejected.incrementAndGet();
	}

	@Override
	public void handlerStarted() {
		this.started.incrementAndGet();
	}

	@Override
	public void handlerFinished(HandlerOutcome outcome, long durationNanos) {
		this.outcomes.add(outcome);
	}

	@Override
	public void acceptFailed(Throwable error, boolean fatal, Duration delay) {
		this.acceptErrors.add(error);
		this.acceptErrorsFatal.add(fatal);
		this.delays.add(delay);
	}

	@Override
	public void spawnFailed(Throwable error, Duration delay) {
		this.spawnErrors.add(error);
		this.delays.add(delay);
	}

	@Override
	public void poolSaturated() {
		this.saturated.incrementAndGet();
	}

	@Override
	public void connectionTimedOut(String reason) {
		this.timedOut.add(reason);
	}

	@Override
	public void frameRejected(String reason) {
		this.framesRejected.add(reason);
	}

	@Override
	public void acceptingPaused() {
		this.paused.incrementAndGet();
	}

	@Override
	public void acceptingResumed() {
		this.resumed.incrementAndGet();
	}

	@Override
	public void closed() {
		this.closed.incrementAndGet();
	}

}
