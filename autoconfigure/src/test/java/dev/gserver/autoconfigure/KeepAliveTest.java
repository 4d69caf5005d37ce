package dev.gserver.autoconfigure;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

import dev.gserver.ChildJvm;
import dev.gserver.Clients;
import dev.gserver.Handler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * An application with no web server and nothing else to do stays up while its gserver runs:
 * the accept thread is not a daemon, although every handler thread is.
 */
@Timeout(60)
class KeepAliveTest {

	@Test
	void applicationWithoutWebServerStaysUpAfterMainReturnsAndStopsOnSigterm() throws Exception {
		try (ChildJvm child = ChildJvm.start(NoWebApplication.class, "--spring.main.web-application-type=none",
				"--gserver.address=127.0.0.1", "--gserver.port=0", "--gserver.stop-timeout=10s")) {
			int port = Integer.parseInt(child.readTagged("port="));
			assertThat(child.readTagged("main")).isEqualTo("returned");
			await().atMost(Duration.ofSeconds(10)).until(() -> Clients.request(port, "").equals("main alive=false"));
			assertThat(child.isAlive()).isTrue();
			child.sigterm();
			assertThat(child.waitFor(20)).isEqualTo(143);
		}
	}

	/** Serves one line saying whether main still runs; main returns right after start-up. */
	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class NoWebApplication {

		private static volatile Thread mainThread;

		@Bean
		Handler mainAliveHandler() {
			return (connection) -> connection.getOutputStream()
				.write(("main alive=" + mainThread.isAlive()).getBytes(StandardCharsets.US_ASCII));
		}

		public static void main(String[] args) {
			mainThread = Thread.currentThread();
			ConfigurableApplicationContext context = SpringApplication.run(NoWebApplication.class, args);
			System.out.println("port=" + context.getEnvironment().getProperty("local.gserver.port"));
			System.out.println("main returned");
			System.out.flush();
		}

	}

}
