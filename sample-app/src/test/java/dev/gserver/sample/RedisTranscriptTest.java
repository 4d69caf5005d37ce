package dev.gserver.sample;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

/**
 * The sample's replies byte for byte against redis-server's. Each transcript under
 * {@code redis-transcripts/} was sent to redis-server 7.0 line by line on one connection and its
 * replies recorded; here the same lines go to the sample on one connection, in RESP2 and, after a
 * {@code HELLO 3} in a transcript, RESP3, and each recorded reply must come back exactly: error
 * texts, arities, integer and null encodings, maps. A reply recorded as {@code -} is sent but not
 * compared (see the transcripts' headers for why).
 */
// no web environment: a context of its own, not SampleApplicationTest's, which this would otherwise
// share; the test framework pauses (stops) a cached context between its users, and a gserver
// lifecycle stop turns readiness to REFUSING_TRAFFIC for good, failing SampleApplicationTest's health check
@SpringBootTest(webEnvironment = WebEnvironment.NONE, properties = { "gserver.port=0", "gserver.servers.chat.port=0", "gserver.address=127.0.0.1" })
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class RedisTranscriptTest {

	@Value("${local.gserver.port}")
	int port;

	@ParameterizedTest
	@ValueSource(strings = { "basic", "expire", "set", "misc", "resp3", "m2" })
	void repliesAsRedisServer(String transcript) throws IOException {
		List<String> lines = lines("/redis-transcripts/" + transcript + ".txt");
		int compared = 0;
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress("127.0.0.1", this.port), 5000);
			socket.setSoTimeout(10_000);
			OutputStream out = socket.getOutputStream();
			InputStream in = new BufferedInputStream(socket.getInputStream());
			for (String line : lines) {
				int tab = line.indexOf('\t');
				String command = line.substring(0, tab);
				String expected = line.substring(tab + 1);
				out.write(encode(split(command)));
				out.flush();
				String reply = readReply(in);
				if (!expected.equals("-")) {
					assertThat(reply).as("%s: %s", transcript, command).isEqualTo(expected.replace("\\r\\n", "\r\n"));
					compared++;
				}
			}
		}
		// a transcript that compares nothing would pass whatever the sample answers
		assertThat(compared).isGreaterThanOrEqualTo(5);
	}

	/** Reads one whole reply, RESP2 or RESP3, and returns its bytes as text. */
	private static String readReply(InputStream in) throws IOException {
		ByteArrayOutputStream reply = new ByteArrayOutputStream();
		readInto(in, reply);
		return reply.toString(StandardCharsets.ISO_8859_1);
	}

	private static void readInto(InputStream in, ByteArrayOutputStream reply) throws IOException {
		String header = readLine(in);
		reply.writeBytes((header + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
		char type = header.charAt(0);
		if (type == '$' || type == '=' || type == '!') {
			int length = Integer.parseInt(header.substring(1));
			if (length >= 0) {
				reply.writeBytes(in.readNBytes(length + 2));
			}
		}
		else if (type == '*' || type == '%' || type == '~' || type == '>' || type == '|') {
			int count = Integer.parseInt(header.substring(1));
			if (type == '%' || type == '|') {
				count *= 2;
			}
			for (int i = 0; i < count; i++) {
				readInto(in, reply);
			}
		}
	}

	private static String readLine(InputStream in) throws IOException {
		ByteArrayOutputStream line = new ByteArrayOutputStream();
		int b;
		while ((b = in.read()) != '\n') {
			if (b < 0) {
				throw new EOFException("the server closed the connection");
			}
			line.write(b);
		}
		String text = line.toString(StandardCharsets.ISO_8859_1);
		return text.substring(0, text.length() - 1); // the CR
	}

	/** Splits at spaces, keeping what double quotes hold together, as the transcripts were written. */
	private static List<String> split(String command) {
		List<String> arguments = new ArrayList<>();
		StringBuilder current = null;
		boolean quoted = false;
		for (char c : command.toCharArray()) {
			if (c == '"') {
				quoted = !quoted;
				current = (current != null) ? current : new StringBuilder();
			}
			else if (c == ' ' && !quoted) {
				if (current != null) {
					arguments.add(current.toString());
				}
				current = null;
			}
			else {
				current = (current != null) ? current : new StringBuilder();
				current.append(c);
			}
		}
		if (current != null) {
			arguments.add(current.toString());
		}
		return arguments;
	}

	private static byte[] encode(List<String> arguments) {
		StringBuilder request = new StringBuilder("*").append(arguments.size()).append("\r\n");
		for (String argument : arguments) {
			request.append('$').append(argument.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(argument)
				.append("\r\n");
		}
		return request.toString().getBytes(StandardCharsets.UTF_8);
	}

	private static List<String> lines(String resource) throws IOException {
		try (InputStream in = Objects.requireNonNull(RedisTranscriptTest.class.getResourceAsStream(resource), resource)) {
			return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
				.filter((line) -> !line.isEmpty() && !line.startsWith("#"))
				.toList();
		}
	}

}
