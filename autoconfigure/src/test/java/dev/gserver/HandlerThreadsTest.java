package dev.gserver;

import java.net.Socket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import ch.qos.logback.classic.spi.ILoggingEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledForJreRange;
import org.junit.jupiter.api.condition.JRE;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What threads handlers run on: virtual ones where the JVM has them, unless the server was set to
 * platform threads, whatever the spawn.
 */
@Timeout(30)
class HandlerThreadsTest {

	@RegisterExtension
	final Servers servers = new Servers();

	@RegisterExtension
	final LogCapture log = new LogCapture(BaseServer.class);

	@Test
	void virtualThreadsAreWantedUnlessSetOtherwise() {
		StreamServer server = new StreamServer("127.0.0.1:0", Handlers::pong);
		assertThat(server.isVirtualThreads()).isTrue();
		server.setVirtualThreads(false);
		assertThat(server.isVirtualThreads()).isFalse();
	}

	@ParameterizedTest
	@ValueSource(strings = { "default", "raw", "2" })
	void platformThreadsWhenSetOnAnyJvm(String spawn) throws Exception {
		Thread thread = handlerThread(spawn, false);
		assertThat(TestThreads.isVirtual(thread)).isFalse();
		assertThat(thread.isDaemon()).as("a handler thread alone does not keep the JVM up").isTrue();
		assertThat(startedLine()).endsWith("handlers on platform threads)");
	}

	@ParameterizedTest
	@ValueSource(strings = { "default", "raw", "2" })
	@EnabledForJreRange(min = JRE.JAVA_21)
	void virtualThreadsByDefaultOnJava21AndLater(String spawn) throws Exception {
		assertThat(TestThreads.isVirtual(handlerThread(spawn, true))).isTrue();
		assertThat(startedLine()).endsWith("handlers on virtual threads)");
	}

	@Test
	void aPlatformThreadOfTheDefaultSpawnIsNamedAfterItsServer() throws Exception {
		Thread thread = handlerThread("default", false);
		assertThat(thread.getName()).matches("gserver\\[127\\.0\\.0\\.1:\\d+]-handler-1");
	}

	/** Starts a server with {@code spawn} and returns the thread its handler ran on. */
	private Thread handlerThread(String spawn, boolean virtualThreads) throws Exception {
		CompletableFuture<Thread> ran = new CompletableFuture<>();
		StreamServer server = new StreamServer("127.0.0.1:0", (connection) -> {
			ran.complete(Thread.currentThread());
			Handlers.pong(connection);
		}, Spawn.parse(spawn));
		server.setVirtualThreads(virtualThreads);
		this.servers.start(server);
		try (Socket client = Clients.connect(server.getServerPort())) {
			assertThat(Clients.readLine(client.getInputStream())).isEqualTo("PONG");
		}
		return ran.get(10, TimeUnit.SECONDS);
	}

	private String startedLine() {
		Supplier<AssertionError> none = () -> new AssertionError("no start line in " + this.log.events());
		return this.log.events()
			.stream()
			.map(ILoggingEvent::getFormattedMessage)
			.filter((line) -> line.startsWith("Started "))
			.findFirst()
			.orElseThrow(none);
	}

}
