package dev.gserver.autoconfigure;

import java.net.BindException;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

import dev.gserver.PortInUseException;

/**
 * Explains a gserver bind failure other than a port in use: an address that is not local, a
 * privileged port, ... The core's message names the address and the system's reason.
 */
class BindFailureAnalyzer extends AbstractFailureAnalyzer<GServerStartException> {

	@Override
	protected @Nullable FailureAnalysis analyze(Throwable rootFailure, GServerStartException cause) {
		BindException bind = findCause(cause, BindException.class);
		if (bind == null || bind instanceof PortInUseException) {
			return null;
		}
		return new FailureAnalysis("gserver '" + cause.getServerName() + "' failed to start: " + bind.getMessage() + ".",
				"Check gserver.address and gserver.port: the address must be one of this machine's, and ports below 1024 need privileges.",
				cause);
	}

}
