package dev.gserver.sample;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;

/**
 * A Redis-compatible key-value server: {@link RedisHandler} is the only code that serves
 * clients; the gserver starter turns it into a TCP server on port 6380.
 */
@SpringBootApplication
@EnableConfigurationProperties(SampleProperties.class)
public class SampleApplication {

	public static void main(String[] args) {
		exitZeroOnSigterm();
		SpringApplication.run(SampleApplication.class, args);
	}

	/**
	 * A JVM stopped by SIGTERM exits with 143 even after a clean shutdown; service managers then
	 * report a failure. Exiting with 0 runs the same shutdown hooks: the context closes and the
	 * server drains as it would on 143.
	 */
	@SuppressWarnings("removal")
	private static void exitZeroOnSigterm() {
		sun.misc.Signal.handle(new sun.misc.Signal("TERM"), (signal) -> System.exit(0));
	}

}
