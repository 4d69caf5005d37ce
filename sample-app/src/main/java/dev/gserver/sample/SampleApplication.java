package dev.gserver.sample;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

import dev.gserver.DatagramHandler;

/**
 * Two servers in one application: a Redis-compatible key-value server ({@link RedisHandler}, the
 * default server, {@code gserver.*}, port 6380) and a chat room ({@link ChatHandler}, the server
 * {@code gserver.servers.chat}, port 6381, which finds the bean {@code chatHandler} by its name).
 * With {@code sample.udp-echo=true} a UDP echo server joins them ({@code gserver.udp.port}).
 */
@SpringBootApplication
@EnableConfigurationProperties(SampleProperties.class)
public class SampleApplication {

	@Bean
	ChatHandler chatHandler(SampleProperties properties) {
		return new ChatHandler(Math.toIntExact(properties.getChat().getMaxLineLength().toBytes()));
	}

	/** Sends every datagram back to its sender: the UDP server {@code gserverUdp}, when asked for. */
	@Bean
	@ConditionalOnBooleanProperty("sample.udp-echo")
	DatagramHandler udpEchoHandler() {
		return (datagram) -> datagram.reply(datagram.getData());
	}

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
