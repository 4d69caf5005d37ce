package dev.gserver;

import java.util.Map;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.gserver.ServerEventListener.HandlerOutcome;

/**
 * One client's handler run: readies the client, runs the handler, closes the client and reports
 * how it went. Tracked by its server, so that {@link BaseServer#stop(java.time.Duration)} can
 * wait for it, end its input and kill it.
 */
final class ClientTask<C extends Client> extends Task {

	private static final Logger logger = LoggerFactory.getLogger(BaseServer.class);

	private final BaseServer<C, ?> server;

	private final C client;

	private final ServerEventListener events;

	/** The connection's number on its server, for the logs' MDC. */
	private final long id;

	private boolean executed;

	ClientTask(BaseServer<C, ?> server, C client, ServerEventListener events) {
		this.server = server;
		this.client = client;
		this.events = events;
		this.id = server.nextConnectionId();
	}

	C client() {
		return this.client;
	}

	@Override
	protected void execute() {
		this.executed = true;
		boolean prepared = false;
		try {
			prepared = prepare();
		}
		finally {
			if (!prepared) {
				// even on an Error: the client, and its slot in the cap per address, must not outlive the task
				this.server.closeClient(this.client);
			}
		}
		if (!prepared) {
			return;
		}
		Map<String, String> outerMdc = ConnectionMdc.enter(this.server.getName(), this.id, this.client.getRemoteAddress());
		long started = System.nanoTime();
		HandlerOutcome outcome = HandlerOutcome.SUCCESS;
		Throwable error = null;
		this.events.handlerStarted();
		ConnectionObserver.Scope observed = observe();
		try {
			this.server.handle(this.client);
		}
		catch (Throwable ex) {
			error = ex;
			outcome = failed(ex);
		}
		finally {
			this.server.closeClient(this.client);
			if (isKilled()) {
				outcome = HandlerOutcome.KILLED;
			}
			this.events.handlerFinished(outcome, System.nanoTime() - started);
			observed(observed, outcome, error);
			ConnectionMdc.restore(outerMdc);
		}
	}

	/** Opens the server's observation of this handler run; a failing observer costs a WARN line, not the handler. */
	private ConnectionObserver.Scope observe() {
		ConnectionObserver observer = this.server.getConnectionObserver();
		if (observer == ConnectionObserver.NONE) {
			return ConnectionObserver.Scope.NONE;
		}
		try {
			ConnectionObserver.Scope scope = observer.connectionStarted(this.server.getName(), this.client);
			return (scope != null) ? scope : ConnectionObserver.Scope.NONE;
		}
		catch (RuntimeException ex) {
			logger.warn("Connection observer {} of {} failed", observer, this.server, ex);
			return ConnectionObserver.Scope.NONE;
		}
	}

	private void observed(ConnectionObserver.Scope observed, HandlerOutcome outcome, @Nullable Throwable error) {
		try {
			observed.connectionFinished(outcome, error);
		}
		catch (RuntimeException ex) {
			logger.warn("Connection observer of {} failed", this.server, ex);
		}
	}

	/** Readies the client (a PROXY header, the cap per address, a TLS handshake); a client that fails costs a DEBUG line, no handler. */
	private boolean prepare() {
		try {
			return this.server.prepare(this.client);
		}
		catch (Exception ex) {
			logger.debug("Client {} of {} failed before its handler: {}", this.client.getRemoteAddress(), this.server,
					ex.toString());
			return false;
		}
	}

	private HandlerOutcome failed(Throwable error) {
		if (isKilled() || isDrained()) {
			logger.debug("Killed handler of {} on {} ended with {}", this.client.getRemoteAddress(), this.server,
					error.toString());
			return HandlerOutcome.KILLED;
		}
		if (error instanceof ProtocolException) {
			logger.debug("Handler of {} on {} ended on bad input: {}", this.client.getRemoteAddress(), this.server,
					error.toString());
			return HandlerOutcome.ERROR;
		}
		if (this.client.wasClosedByServer()) {
			logger.debug("Handler of {} on {} ended as the server closed its connection: {}",
					this.client.getRemoteAddress(), this.server, error.toString());
			return HandlerOutcome.SUCCESS;
		}
		if (Disconnects.isDisconnect(error)) {
			logger.debug("Client {} of {} disconnected: {}", this.client.getRemoteAddress(), this.server,
					error.toString());
			return HandlerOutcome.DISCONNECTED;
		}
		logger.warn("Handler failed for client {} on {}", this.client.getRemoteAddress(), this.server, error);
		return HandlerOutcome.ERROR;
	}

	@Override
	protected void abort() {
		this.client.abort();
	}

	@Override
	protected void endInput() {
		this.client.endInput();
	}

	@Override
	protected void finished() {
		if (!this.executed) {
			// killed before its thread ran it: still a handler that started and was killed
			this.events.handlerStarted();
			this.events.handlerFinished(HandlerOutcome.KILLED, 0);
		}
		this.server.handlerEnded(this);
	}

}
