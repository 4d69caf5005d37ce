package dev.gserver.autoconfigure;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

import dev.gserver.PortInUseException;

/** Explains a gserver port that another process already listens on. */
class PortInUseFailureAnalyzer extends AbstractFailureAnalyzer<PortInUseException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, PortInUseException cause) {
		return new FailureAnalysis(
				"gserver failed to start: port " + cause.getPort() + " is already in use (binding "
						+ cause.getAddress() + ").",
				"Identify and stop the process that is listening on port " + cause.getPort()
						+ ", or configure gserver to listen on another port with gserver.port (0 picks a free one).",
				cause);
	}

}
