package dev.gserver.sample;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

import dev.gserver.StreamServer;
import dev.gserver.test.GServerTestClient;
import dev.gserver.test.LocalGServerPort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The sample's second server, the chat room ({@code gserver.servers.chat}), in the whole
 * application: RANDOM_PORT puts both servers on free ports, and each is reached by its name.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = "gserver.address=127.0.0.1")
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ChatServerTest {

	@LocalGServerPort("chat")
	int chatPort;

	@LocalGServerPort
	int redisPort;

	@Autowired
	@Qualifier("chat")
	StreamServer chat;

	@Autowired
	ChatHandler room;

	@Test
	void theChatRoomIsASecondServerConfiguredFromTheApplicationYaml() {
		assertThat(this.chatPort).isEqualTo(this.chat.getServerPort()).isNotEqualTo(6381).isNotEqualTo(this.redisPort);
		assertThat(this.chat.getName()).isEqualTo("chat");
		// set for the chat room alone in application.yml; the rest comes from gserver.*
		assertThat(this.chat.getWriteTimeout()).hasSeconds(10);
		assertThat(this.chat.getMaxConnections()).isEqualTo(100000);
		assertThat(this.room.getMaxLineLength()).isEqualTo(1024);
		try (GServerTestClient redis = GServerTestClient.connect(this.redisPort)) {
			redis.sendCommand("PING").expectReply("PONG");
		}
	}

	@Test
	void aLineReachesEveryOtherClientAndAnOverlongOneClosesItsConnection() {
		try (GServerTestClient alice = GServerTestClient.connect(this.chatPort);
				GServerTestClient bob = GServerTestClient.connect(this.chatPort)) {
			await().atMost(10, TimeUnit.SECONDS).until(() -> this.room.clients() >= 2);
			alice.sendLine("hello bob");
			assertThat(bob.readLine()).endsWith(": hello bob");
			bob.sendLine("x".repeat(1025)).expectLine("ERR line too long");
			bob.expectClosed();
		}
	}

}
