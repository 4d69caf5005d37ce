package dev.gserver.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.gserver.Clients;
import dev.gserver.ConnectionGroup;
import dev.gserver.Handler;
import dev.gserver.Servers;
import dev.gserver.StreamServer;

/**
 * The handlers of docs/writing-a-protocol.md, as written there, served over real sockets: a line
 * protocol, a length-prefixed protocol, a memcached-style mix of lines and blocks, and a chat room
 * broadcasting through a {@link ConnectionGroup}.
 */
class ProtocolExamplesTest {

	@RegisterExtension
	final Servers servers = new Servers();

	// ---- the handlers, as the page shows them ----

	static final Handler SHOUT = (connection) -> {
		FrameReader in = FrameReader.of(connection).maxLineLength(1024);
		FrameWriter out = FrameWriter.of(connection);
		for (String line; (line = in.readLine()) != null;) {
			out.writeLine(line.toUpperCase()).flush();
		}
	};

	static final Handler REVERSE = (connection) -> {
		FrameReader in = FrameReader.of(connection).maxFrameLength(64 * 1024);
		FrameWriter out = FrameWriter.of(connection);
		for (byte[] message; (message = in.readFrame(LengthField.uint32())) != null;) {
			out.writeFrame(LengthField.uint32(), reverse(message)).flush();
		}
	};

	private static byte[] reverse(byte[] message) {
		byte[] reversed = new byte[message.length];
		for (int i = 0; i < message.length; i++) {
			reversed[i] = message[message.length - 1 - i];
		}
		return reversed;
	}

	static Handler cache(Map<String, byte[]> store) {
		return (connection) -> {
			FrameReader in = FrameReader.of(connection).lineEnding(LineEnding.CRLF);
			FrameWriter out = FrameWriter.of(connection);
			for (String line; (line = in.readLine()) != null;) {
				String[] words = line.split(" ");
				if (words[0].equals("set") && words.length == 3) { // set <key> <bytes>\r\n<block>\r\n
					store.put(words[1], in.readExactly(Integer.parseInt(words[2])));
					in.readExactly(2);
					out.writeLine("STORED");
				}
				else if (words[0].equals("get") && words.length == 2 && store.containsKey(words[1])) {
					byte[] value = store.get(words[1]);
					out.writeLine("VALUE " + words[1] + " " + value.length).write(value).writeLine("").writeLine("END");
				}
				else {
					out.writeLine(words[0].equals("get") ? "END" : "ERROR");
				}
				out.flush();
			}
		};
	}

	static Handler chat(ConnectionGroup room) {
		return (connection) -> {
			FrameReader in = FrameReader.of(connection).maxLineLength(1024);
			try (ConnectionGroup.Member me = room.join(connection)) {
				for (String line; (line = in.readLine()) != null;) {
					room.broadcast((line + "\n").getBytes(StandardCharsets.UTF_8), me);
				}
			}
		};
	}

	// ---- served ----

	@Test
	void aLineProtocol() throws IOException {
		StreamServer server = this.servers.start(new StreamServer("127.0.0.1:0", SHOUT));
		try (Socket client = Clients.connect(server.getServerPort())) {
			client.getOutputStream().write("hello\r\nworld\n".getBytes(StandardCharsets.US_ASCII));
			FrameReader replies = FrameReader.of(client.getInputStream());
			assertThat(replies.readLine()).isEqualTo("HELLO");
			assertThat(replies.readLine()).isEqualTo("WORLD");
			// too long: the handler's read fails, and the connection closes
			client.getOutputStream().write(new byte[2000]);
			assertThat(Clients.readUntilClosed(client)).isEmpty();
		}
	}

	@Test
	void aLengthPrefixedProtocol() throws IOException {
		StreamServer server = this.servers.start(new StreamServer("127.0.0.1:0", REVERSE));
		try (Socket client = Clients.connect(server.getServerPort())) {
			DataOutputStream out = new DataOutputStream(client.getOutputStream());
			out.writeInt(3);
			out.write(new byte[] { 1, 2, 3 });
			DataInputStream in = new DataInputStream(client.getInputStream());
			assertThat(in.readInt()).isEqualTo(3);
			assertThat(in.readNBytes(3)).containsExactly(3, 2, 1);
			// a declared 2 GB frame is refused from its header: nothing is allocated for it
			out.writeInt(Integer.MAX_VALUE);
			assertThat(Clients.readUntilClosed(client)).isEmpty();
		}
	}

	@Test
	void aMemcachedStyleMixOfLinesAndBlocks() throws IOException {
		Map<String, byte[]> store = new ConcurrentHashMap<>();
		StreamServer server = this.servers.start(new StreamServer("127.0.0.1:0", cache(store)));
		try (Socket client = Clients.connect(server.getServerPort())) {
			OutputStream out = client.getOutputStream();
			out.write("set k 5\r\nab\r\nc\r\nget k\r\nget nope\r\n".getBytes(StandardCharsets.US_ASCII));
			FrameReader replies = FrameReader.of(client.getInputStream()).lineEnding(LineEnding.CRLF);
			assertThat(replies.readLine()).isEqualTo("STORED");
			assertThat(replies.readLine()).isEqualTo("VALUE k 5");
			assertThat(new String(replies.readExactly(7), StandardCharsets.US_ASCII)).isEqualTo("ab\r\nc\r\n");
			assertThat(replies.readLine()).isEqualTo("END");
			assertThat(replies.readLine()).isEqualTo("END");
			assertThat(store.get("k")).containsExactly('a', 'b', '\r', '\n', 'c');
		}
	}

	@Test
	void aChatRoom() throws IOException {
		ConnectionGroup room = new ConnectionGroup("chat");
		StreamServer server = this.servers.start(new StreamServer("127.0.0.1:0", chat(room)));
		try (Socket a = Clients.connect(server.getServerPort()); Socket b = Clients.connect(server.getServerPort())) {
			await().atMost(Duration.ofMillis(Clients.PATIENCE_MILLIS)).until(() -> room.size() == 2);
			a.getOutputStream().write("hi\n".getBytes(StandardCharsets.US_ASCII));
			b.getOutputStream().write("hello\n".getBytes(StandardCharsets.US_ASCII));
			assertThat(Clients.readLine(b.getInputStream())).isEqualTo("hi");
			assertThat(Clients.readLine(a.getInputStream())).isEqualTo("hello");
		}
		await().atMost(Duration.ofMillis(Clients.PATIENCE_MILLIS)).until(() -> room.size() == 0);
	}

}
