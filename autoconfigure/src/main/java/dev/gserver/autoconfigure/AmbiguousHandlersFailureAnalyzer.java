package dev.gserver.autoconfigure;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Explains two or more Handler beans for the default server, and the two ways out. */
class AmbiguousHandlersFailureAnalyzer extends AbstractFailureAnalyzer<AmbiguousHandlersException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, AmbiguousHandlersException cause) {
		String first = cause.getHandlerBeans().get(0);
		String second = cause.getHandlerBeans().get(1);
		return new FailureAnalysis(
				"The default gserver server (gserver.*) found " + cause.getHandlerBeans().size()
						+ " Handler beans and cannot tell which to run: " + String.join(", ", cause.getHandlerBeans()) + ".",
				"Either name the default server's handler:\n\n\tgserver.handler=" + first
						+ "\n\nor give the other handler a server of its own (a bean named '" + second
						+ "Handler' or '" + second + "' is found by name):\n\n\tgserver.servers." + second
						+ ".port=7001\n\tgserver.servers." + second + ".handler=" + second,
				cause);
	}

}
