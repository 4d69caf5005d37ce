package dev.gserver;

import java.time.Duration;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The listeners of one server, called in order; one that throws is logged and skipped. Firing a
 * per-connection event allocates nothing.
 */
final class ServerEvents implements ServerEventListener {

	private static final Logger logger = LoggerFactory.getLogger(ServerEvents.class);

	private final ListenerArray<ServerEventListener> listeners = new ListenerArray<>(new ServerEventListener[0]);

	void add(ServerEventListener listener) {
		this.listeners.add(listener);
	}

	void remove(ServerEventListener listener) {
		this.listeners.remove(listener);
	}

	@Override
	public void connectionAccepted() {
		each(ServerEventListener::connectionAccepted);
	}

	@Override
	public void connectionRejected(String reason) {
		each((listener) -> listener.connectionRejected(reason));
	}

	@Override
	public void connectionTimedOut(String reason) {
		each((listener) -> listener.connectionTimedOut(reason));
	}

	@Override
	public void handlerStarted() {
		each(ServerEventListener::handlerStarted);
	}

	@Override
	public void handlerFinished(HandlerOutcome outcome, long durationNanos) {
		for (ServerEventListener listener : this.listeners.get()) {
			try {
				listener.handlerFinished(outcome, durationNanos);
			}
			catch (RuntimeException ex) {
				failed(listener, ex);
			}
		}
	}

	@Override
	public void acceptFailed(Throwable error, boolean fatal, Duration delay) {
		each((listener) -> listener.acceptFailed(error, fatal, delay));
	}

	@Override
	public void spawnFailed(Throwable error, Duration delay) {
		each((listener) -> listener.spawnFailed(error, delay));
	}

	@Override
	public void tlsHandshakeFailed(String reason) {
		each((listener) -> listener.tlsHandshakeFailed(reason));
	}

	@Override
	public void tlsHandshakeFinished(boolean succeeded, long durationNanos) {
		for (ServerEventListener listener : this.listeners.get()) {
			try {
				listener.tlsHandshakeFinished(succeeded, durationNanos);
			}
			catch (RuntimeException ex) {
				failed(listener, ex);
			}
		}
	}

	@Override
	public void proxyHeaderRejected(String reason) {
		each((listener) -> listener.proxyHeaderRejected(reason));
	}

	@Override
	public void frameRejected(String reason) {
		each((listener) -> listener.frameRejected(reason));
	}

	@Override
	public void poolSaturated() {
		each(ServerEventListener::poolSaturated);
	}

	@Override
	public void acceptingPaused() {
		each(ServerEventListener::acceptingPaused);
	}

	@Override
	public void acceptingResumed() {
		each(ServerEventListener::acceptingResumed);
	}

	@Override
	public void closed() {
		each(ServerEventListener::closed);
	}

	/** Fires an event; a non-capturing method reference allocates nothing, so only capturing events are written out. */
	private void each(Consumer<ServerEventListener> event) {
		for (ServerEventListener listener : this.listeners.get()) {
			try {
				event.accept(listener);
			}
			catch (RuntimeException ex) {
				failed(listener, ex);
			}
		}
	}

	private static void failed(ServerEventListener listener, RuntimeException ex) {
		logger.warn("Server event listener {} failed", listener, ex);
	}

}
