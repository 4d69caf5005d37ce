package dev.gserver.autoconfigure;

import java.net.Socket;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledForJreRange;
import org.junit.jupiter.api.condition.JRE;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.gserver.Clients;
import dev.gserver.DatagramHandler;
import dev.gserver.DatagramServer;
import dev.gserver.Handler;
import dev.gserver.StreamServer;
import dev.gserver.TestThreads;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code spring.threads.virtual.enabled=false}, written out, puts the handlers of every server the
 * starter builds on platform threads; unset or true, they stay on virtual threads (Java 21+).
 */
@Timeout(60)
class VirtualThreadsPropertyTest {

	private final ApplicationContextRunner runner = Runners.onLoopback(GServerAutoConfiguration.class)
		.withUserConfiguration(RecordingHandlers.class)
		.withPropertyValues("gserver.servers.chat.port=0", "gserver.servers.chat.address=127.0.0.1",
				"gserver.servers.chat.handler=chatHandler", "gserver.servers.pooled.port=0",
				"gserver.servers.pooled.address=127.0.0.1", "gserver.servers.pooled.spawn=2",
				"gserver.servers.pooled.handler=chatHandler");

	@Test
	void theServersFollowAnExplicitFalseAndOnlyThat() {
		this.runner.run((context) -> assertThat(virtualThreadSettings(context)).containsOnly(true));
		this.runner.withPropertyValues("spring.threads.virtual.enabled=true")
			.run((context) -> assertThat(virtualThreadSettings(context)).containsOnly(true));
		this.runner.withPropertyValues("spring.threads.virtual.enabled=false")
			.run((context) -> assertThat(virtualThreadSettings(context)).containsOnly(false));
	}

	@Test
	void theUdpServerFollowsItToo() {
		ApplicationContextRunner udp = Runners.onLoopback(GServerAutoConfiguration.class)
			.withBean(DatagramHandler.class, () -> (datagram) -> datagram.reply(datagram.getData()))
			.withPropertyValues("gserver.udp.address=127.0.0.1", "gserver.udp.port=0");
		udp.run((context) -> assertThat(context.getBean(DatagramServer.class).isVirtualThreads()).isTrue());
		udp.withPropertyValues("spring.threads.virtual.enabled=false")
			.run((context) -> assertThat(context.getBean(DatagramServer.class).isVirtualThreads()).isFalse());
	}

	@Test
	@EnabledForJreRange(min = JRE.JAVA_21)
	void explicitFalseRunsHandlersOnPlatformThreads() {
		this.runner.withPropertyValues("spring.threads.virtual.enabled=false")
			.run((context) -> assertThat(handlerThreadsVirtual(context)).containsOnly(false));
	}

	@Test
	@EnabledForJreRange(min = JRE.JAVA_21)
	void unsetRunsHandlersOnVirtualThreads() {
		this.runner.run((context) -> assertThat(handlerThreadsVirtual(context)).containsOnly(true));
	}

	private static Iterable<Boolean> virtualThreadSettings(org.springframework.context.ApplicationContext context) {
		Map<String, StreamServer> servers = context.getBeansOfType(StreamServer.class);
		assertThat(servers).containsOnlyKeys("gserver", "chat", "pooled");
		return servers.values().stream().map(StreamServer::isVirtualThreads).toList();
	}

	/** Connects to each server and returns whether each handler ran on a virtual thread. */
	private static Iterable<Boolean> handlerThreadsVirtual(org.springframework.context.ApplicationContext context)
			throws Exception {
		RecordingHandlers handlers = context.getBean(RecordingHandlers.class);
		Map<String, StreamServer> servers = context.getBeansOfType(StreamServer.class);
		for (StreamServer server : servers.values()) {
			try (Socket client = Clients.connect(server.getServerPort())) {
				assertThat(Clients.readLine(client.getInputStream())).isEqualTo("OK");
			}
		}
		assertThat(handlers.ran.await(10, TimeUnit.SECONDS)).isTrue();
		assertThat(handlers.virtual).containsOnlyKeys("gserver", "chat", "pooled");
		return handlers.virtual.values();
	}

	@Configuration(proxyBeanMethods = false)
	static class RecordingHandlers {

		/** By server name: whether its handler ran on a virtual thread. */
		final Map<String, Boolean> virtual = new ConcurrentHashMap<>();

		final CountDownLatch ran = new CountDownLatch(3);

		@Bean
		Handler pongHandler() {
			return this::record;
		}

		@Bean
		Handler chatHandler() {
			return this::record;
		}

		private void record(dev.gserver.Connection connection) throws Exception {
			String server = org.slf4j.MDC.get(dev.gserver.ConnectionMdc.SERVER);
			this.virtual.put(server, TestThreads.isVirtual(Thread.currentThread()));
			this.ran.countDown();
			connection.getOutputStream().write("OK\n".getBytes());
		}

	}

}
