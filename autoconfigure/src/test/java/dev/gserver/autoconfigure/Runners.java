package dev.gserver.autoconfigure;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** The application context runners of the auto-configuration tests. */
final class Runners {

	private Runners() {
	}

	/** A runner with {@code autoConfigurations} whose server binds 127.0.0.1 on a free port. */
	static ApplicationContextRunner onLoopback(Class<?>... autoConfigurations) {
		return new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(autoConfigurations))
			.withPropertyValues("gserver.address=127.0.0.1", "gserver.port=0");
	}

}
