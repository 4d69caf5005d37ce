package dev.gserver.sample;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code sample.udp-echo=true}: a UDP server answers each datagram with itself, and shows in the Prometheus scrape. */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = { "sample.udp-echo=true", "gserver.port=0",
		"gserver.servers.chat.port=0", "gserver.address=127.0.0.1", "gserver.udp.port=0", "gserver.udp.address=127.0.0.1" })
@Timeout(60)
class UdpEchoTest {

	@Value("${local.gserver.udp.port}")
	private int udpPort;

	@Value("${local.server.port}")
	private int httpPort;

	@Test
	void echoesADatagramAndCountsIt() throws Exception {
		try (DatagramSocket socket = new DatagramSocket()) {
			socket.setSoTimeout(10_000);
			byte[] hello = "hello".getBytes(StandardCharsets.US_ASCII);
			socket.send(new DatagramPacket(hello, hello.length, new InetSocketAddress("127.0.0.1", this.udpPort)));
			DatagramPacket answer = new DatagramPacket(new byte[64], 64);
			socket.receive(answer);
			assertThat(new String(answer.getData(), 0, answer.getLength(), StandardCharsets.US_ASCII)).isEqualTo("hello");
		}
		String scrape = HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.httpPort + "/actuator/prometheus"))
				.timeout(Duration.ofSeconds(10))
				.build(), HttpResponse.BodyHandlers.ofString())
			.body();
		assertThat(scrape).contains("gserver_datagrams_received_datagrams_total{name=\"gserverUdp\"} 1.0");
	}

}
