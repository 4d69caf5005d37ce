package dev.gserver.test;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.context.annotation.Bean;

import dev.gserver.DatagramHandler;

import static org.assertj.core.api.Assertions.assertThat;

/** RANDOM_PORT puts the UDP server on a free port too: {@code @LocalGServerPort("udp")} is {@code local.gserver.udp.port}. */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "gserver.udp.address=127.0.0.1", "gserver.udp.port=7001" })
@Timeout(30)
class RandomPortUdpTest {

	@LocalGServerPort("udp")
	int port;

	@Test
	void theUdpServerIsOnARandomPortAndAnswers() throws Exception {
		assertThat(this.port).isPositive().isNotEqualTo(7001);
		try (DatagramSocket socket = new DatagramSocket()) {
			socket.setSoTimeout(5000);
			byte[] ping = "ping".getBytes(StandardCharsets.US_ASCII);
			socket.send(new DatagramPacket(ping, ping.length, new InetSocketAddress("127.0.0.1", this.port)));
			DatagramPacket reply = new DatagramPacket(new byte[16], 16);
			socket.receive(reply);
			assertThat(new String(reply.getData(), 0, reply.getLength(), StandardCharsets.US_ASCII)).isEqualTo("ping");
		}
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class Config {

		@Bean
		DatagramHandler echo() {
			return (datagram) -> datagram.reply(datagram.getData());
		}

	}

}
