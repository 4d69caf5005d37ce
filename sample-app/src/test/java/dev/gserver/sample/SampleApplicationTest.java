package dev.gserver.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.test.context.TestPropertySource;

import dev.gserver.StreamServer;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.Response;
import redis.clients.jedis.commands.ProtocolCommand;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.params.SetParams;

/**
 * The sample key-value server, end to end: the whole application on a random port, spoken to by a
 * real Redis client (Jedis), by raw sockets for what a client library would not send, and by HTTP
 * for Actuator.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "gserver.port=0", "gserver.servers.chat.port=0", "gserver.address=127.0.0.1" })
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SampleApplicationTest {

	private static final String HOST = "127.0.0.1";

	private static final ProtocolCommand QUIT = () -> "QUIT".getBytes(StandardCharsets.US_ASCII);

	@Autowired
	private MeterRegistry meters;

	@Value("${local.gserver.port}")
	int port;

	@Value("${local.server.port}")
	int httpPort;

	@Autowired
	@Qualifier("gserver")
	StreamServer server;

	@Test
	void portIsTheBoundPortOfTheServer() {
		assertThat(this.port).isPositive().isEqualTo(this.server.getServerPort());
		assertThat(this.server.isStarted()).isTrue();
	}

	@Test
	void pingAndEcho() {
		try (Jedis jedis = jedis()) {
			assertThat(jedis.ping()).isEqualTo("PONG");
			assertThat(jedis.ping("hello there")).isEqualTo("hello there");
			assertThat(jedis.echo("echo me")).isEqualTo("echo me");
			assertThat(jedis.echo("")).isEmpty();
		}
	}

	@Test
	void setGetDelExists() {
		try (Jedis jedis = jedis()) {
			String key = "sga:key";
			assertThat(jedis.get(key)).isNull();
			assertThat(jedis.exists(key)).isFalse();
			assertThat(jedis.set(key, "first")).isEqualTo("OK");
			assertThat(jedis.get(key)).isEqualTo("first");
			assertThat(jedis.set(key, "second")).isEqualTo("OK");
			assertThat(jedis.get(key)).isEqualTo("second");
			assertThat(jedis.set("sga:other", "x")).isEqualTo("OK");
			assertThat(jedis.exists(key)).isTrue();
			// Redis counts every argument, repeated keys included
			assertThat(jedis.exists(key, "sga:other", "sga:missing", key)).isEqualTo(3);
			// ... but a key is deleted only once
			assertThat(jedis.del(key, "sga:missing", key)).isEqualTo(1);
			assertThat(jedis.get(key)).isNull();
			assertThat(jedis.exists(key)).isFalse();
			assertThat(jedis.del(key)).isZero();
			assertThat(jedis.del("sga:other")).isEqualTo(1);
		}
	}

	@Test
	void dbsizeAndFlushall() {
		try (Jedis jedis = jedis()) {
			assertThat(jedis.flushAll()).isEqualTo("OK");
			assertThat(jedis.dbSize()).isZero();
			jedis.set("size:a", "1");
			jedis.set("size:b", "2");
			jedis.set("size:c", "3");
			jedis.set("size:a", "overwritten");
			assertThat(jedis.dbSize()).isEqualTo(3);
			jedis.del("size:b");
			assertThat(jedis.dbSize()).isEqualTo(2);
			assertThat(jedis.flushAll()).isEqualTo("OK");
			assertThat(jedis.dbSize()).isZero();
			assertThat(jedis.get("size:a")).isNull();
		}
	}

	@Test
	void incr() {
		try (Jedis jedis = jedis()) {
			jedis.del("incr:counter", "incr:text", "incr:max");
			assertThat(jedis.incr("incr:counter")).isEqualTo(1);
			assertThat(jedis.incr("incr:counter")).isEqualTo(2);
			assertThat(jedis.get("incr:counter")).isEqualTo("2");
			jedis.set("incr:counter", "-5");
			assertThat(jedis.incr("incr:counter")).isEqualTo(-4);
			jedis.set("incr:counter", "-1");
			assertThat(jedis.incr("incr:counter")).isZero();
			jedis.set("incr:counter", "9223372036854775806");
			assertThat(jedis.incr("incr:counter")).isEqualTo(Long.MAX_VALUE);

			jedis.set("incr:text", "not a number");
			assertThatExceptionOfType(JedisDataException.class).isThrownBy(() -> jedis.incr("incr:text"))
				.withMessage("ERR value is not an integer or out of range");
			assertThat(jedis.get("incr:text")).isEqualTo("not a number");

			jedis.set("incr:max", Long.toString(Long.MAX_VALUE));
			assertThatExceptionOfType(JedisDataException.class).isThrownBy(() -> jedis.incr("incr:max"))
				.withMessage("ERR increment or decrement would overflow");

			// integers as Redis reads them: no plus sign, no leading zero, no minus zero
			for (String notAnInteger : new String[] { "+5", "05", "-0", " 5", "" }) {
				jedis.set("incr:text", notAnInteger);
				assertThatExceptionOfType(JedisDataException.class).isThrownBy(() -> jedis.incr("incr:text"))
					.withMessage("ERR value is not an integer or out of range");
			}
			jedis.set("incr:text", "0");
			assertThat(jedis.incr("incr:text")).isEqualTo(1);
			assertThat(jedis.get("incr:max")).isEqualTo(Long.toString(Long.MAX_VALUE));

			// the connection is still in step after the errors
			assertThat(jedis.ping()).isEqualTo("PONG");
		}
	}

	@Test
	void setWithExAndPxExpires() {
		try (Jedis jedis = jedis()) {
			long before = System.nanoTime();
			assertThat(jedis.set("ttl:px", "short", SetParams.setParams().px(400))).isEqualTo("OK");
			assertThat(jedis.set("ttl:ex", "long", SetParams.setParams().ex(1))).isEqualTo("OK");
			assertThat(jedis.set("ttl:none", "forever")).isEqualTo("OK");
			assertThat(jedis.get("ttl:ex")).isEqualTo("long");
			assertThat(jedis.exists("ttl:ex")).isTrue();

			await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20))
				.until(() -> jedis.get("ttl:px") == null);
			long pxGoneAfter = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - before);
			assertThat(pxGoneAfter).as("PX 400 ms expired after").isGreaterThanOrEqualTo(400);

			await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20))
				.until(() -> !jedis.exists("ttl:ex"));
			long exGoneAfter = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - before);
			assertThat(exGoneAfter).as("EX 1 s expired after").isGreaterThanOrEqualTo(1000);

			assertThat(jedis.get("ttl:ex")).isNull();
			assertThat(jedis.del("ttl:px", "ttl:ex")).isZero();
			assertThat(jedis.get("ttl:none")).isEqualTo("forever");

			// a plain SET clears an expiry: the key outlives a marker set with the same PX
			jedis.set("ttl:reset", "v", SetParams.setParams().px(150));
			jedis.set("ttl:reset", "v2");
			jedis.set("ttl:marker", "m", SetParams.setParams().px(150));
			await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20))
				.until(() -> jedis.get("ttl:marker") == null);
			assertThat(jedis.get("ttl:reset")).isEqualTo("v2");
		}
	}

	@Test
	void setOptionErrors() {
		try (Jedis jedis = jedis()) {
			assertThatExceptionOfType(JedisDataException.class)
				.isThrownBy(() -> jedis.sendCommand(Protocol.Command.SET, "opt:k", "v", "EX", "0"))
				.withMessage("ERR invalid expire time in 'set' command");
			assertThatExceptionOfType(JedisDataException.class)
				.isThrownBy(() -> jedis.sendCommand(Protocol.Command.SET, "opt:k", "v", "PX", "-10"))
				.withMessage("ERR invalid expire time in 'set' command");
			assertThatExceptionOfType(JedisDataException.class)
				.isThrownBy(() -> jedis.sendCommand(Protocol.Command.SET, "opt:k", "v", "EX", "soon"))
				.withMessage("ERR value is not an integer or out of range");
			assertThatExceptionOfType(JedisDataException.class)
				.isThrownBy(() -> jedis.sendCommand(Protocol.Command.SET, "opt:k", "v", "BOGUS"))
				.withMessage("ERR syntax error");
			assertThatExceptionOfType(JedisDataException.class)
				.isThrownBy(() -> jedis.sendCommand(Protocol.Command.SET, "opt:k", "v", "EX"))
				.withMessage("ERR syntax error");
			assertThatExceptionOfType(JedisDataException.class)
				.isThrownBy(() -> jedis.sendCommand(Protocol.Command.SET, "opt:k"))
				.withMessage("ERR wrong number of arguments for 'set' command");
			assertThatExceptionOfType(JedisDataException.class)
				.isThrownBy(() -> jedis.sendCommand(Protocol.Command.GET))
				.withMessage("ERR wrong number of arguments for 'get' command");
			// nothing was stored by the refused commands
			assertThat(jedis.exists("opt:k")).isFalse();
		}
	}

	@Test
	void binarySafeKeysAndValues() {
		byte[] every = new byte[256];
		for (int i = 0; i < every.length; i++) {
			every[i] = (byte) i;
		}
		byte[] resp = "\r\n*1\r\n$4\r\nPING\r\n$-1\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
		byte[] value = concat(every, resp, every);
		byte[] key = concat("bin:".getBytes(StandardCharsets.US_ASCII), every, "\r\n".getBytes(StandardCharsets.US_ASCII));
		byte[] large = new byte[200 * 1024]; // spans many reads of the server's 16 KB buffer
		for (int i = 0; i < large.length; i++) {
			large[i] = (byte) (i * 31 + (i >> 8));
		}
		try (Jedis jedis = jedis()) {
			assertThat(jedis.set(key, value)).isEqualTo("OK");
			assertThat(jedis.get(key)).isEqualTo(value);
			assertThat(jedis.exists(key)).isTrue();
			// a key differing only in the last byte is another key
			byte[] almost = Arrays.copyOf(key, key.length);
			almost[almost.length - 1] = 0;
			assertThat(jedis.get(almost)).isNull();
			assertThat(jedis.echo(value)).isEqualTo(value);
			assertThat(jedis.set("bin:large".getBytes(StandardCharsets.US_ASCII), large)).isEqualTo("OK");
			assertThat(jedis.get("bin:large".getBytes(StandardCharsets.US_ASCII))).isEqualTo(large);
			assertThat(jedis.set("bin:empty", "")).isEqualTo("OK");
			assertThat(jedis.get("bin:empty")).isEmpty();
			assertThat(jedis.del(key)).isEqualTo(1);
			assertThat(jedis.get(key)).isNull();
		}
	}

	@Test
	void unknownCommand() {
		ProtocolCommand nosuch = () -> "NOSUCHCMD".getBytes(StandardCharsets.US_ASCII);
		try (Jedis jedis = jedis()) {
			assertThatExceptionOfType(JedisDataException.class).isThrownBy(() -> jedis.sendCommand(nosuch, "a", "b"))
				.withMessageStartingWith("ERR unknown command 'NOSUCHCMD'")
				.withMessageContaining("with args beginning with: 'a' 'b'");
			assertThatExceptionOfType(JedisDataException.class).isThrownBy(() -> jedis.sendCommand(nosuch))
				.withMessageStartingWith("ERR unknown command 'NOSUCHCMD'");
			// an error reply does not end the connection
			assertThat(jedis.ping()).isEqualTo("PONG");
		}
	}

	@Test
	void clientInfoShowsTheClientAddressAsTheServerSawIt() throws IOException {
		try (Socket socket = rawSocket()) {
			send(socket, "*2\r\n$6\r\nCLIENT\r\n$4\r\nINFO\r\nQUIT\r\n");
			String reply = text(socket.getInputStream().readAllBytes());
			assertThat(reply).startsWith("$")
				.contains(" addr=127.0.0.1:" + socket.getLocalPort() + " ")
				.contains(" laddr=127.0.0.1:" + this.port + " ")
				.endsWith("\n\r\n+OK\r\n");
			// the bulk length counts the line's bytes, its newline included
			int header = reply.indexOf("\r\n");
			int length = Integer.parseInt(reply.substring(1, header));
			assertThat(reply.substring(header + 2, header + 2 + length)).startsWith("id=").endsWith(" resp=2\n");
		}
		try (Jedis jedis = jedis()) {
			long id = jedis.clientId();
			assertThat(jedis.clientGetname()).isNull();
			assertThat(jedis.clientSetname("loader")).isEqualTo("OK");
			assertThat(jedis.clientGetname()).isEqualTo("loader");
			assertThat(jedis.clientInfo()).startsWith("id=" + id + " ").contains(" name=loader ");
			assertThatExceptionOfType(JedisDataException.class).isThrownBy(() -> jedis.clientSetname("two words"))
				.withMessageStartingWith("ERR Client names cannot contain spaces");
			assertThatExceptionOfType(JedisDataException.class)
				.isThrownBy(() -> jedis.sendCommand(Protocol.Command.CLIENT, "BOGUS"))
				.withMessage("ERR unknown subcommand 'BOGUS'. Try CLIENT HELP.");
		}
	}

	@Test
	void quitRepliesOkAndClosesTheConnection() throws IOException {
		try (Jedis jedis = jedis()) {
			assertThat(jedis.ping()).isEqualTo("PONG");
			assertThat(text((byte[]) jedis.sendCommand(QUIT))).isEqualTo("OK");
		}
		try (Socket socket = rawSocket()) {
			send(socket, "*1\r\n$4\r\nQUIT\r\n");
			// +OK, then end of stream without the client closing its side
			assertThat(text(socket.getInputStream().readAllBytes())).isEqualTo("+OK\r\n");
		}
	}

	@Test
	void pipelineOfAThousandSetGetPairs() {
		int pairs = 1000;
		try (Jedis jedis = jedis()) {
			List<Response<String>> sets = new ArrayList<>(pairs);
			List<Response<String>> gets = new ArrayList<>(pairs);
			try (Pipeline pipeline = jedis.pipelined()) {
				for (int i = 0; i < pairs; i++) {
					sets.add(pipeline.set("pipe:" + i, "value-" + i + "-" + "x".repeat(i % 50)));
					gets.add(pipeline.get("pipe:" + i));
				}
				pipeline.sync();
			}
			for (int i = 0; i < pairs; i++) {
				assertThat(sets.get(i).get()).as("SET #%d", i).isEqualTo("OK");
				assertThat(gets.get(i).get()).as("GET #%d", i).isEqualTo("value-" + i + "-" + "x".repeat(i % 50));
			}
			// the connection is in step after the pipeline
			assertThat(jedis.get("pipe:999")).startsWith("value-999-");
			assertThat(jedis.ping()).isEqualTo("PONG");
		}
	}

	@Test
	void twoHundredConcurrentClients() throws Exception {
		int clients = 200;
		int rounds = 50;
		String counter = "concurrent:counter";
		try (Jedis admin = jedis()) {
			admin.del(counter);
		}
		CountDownLatch connected = new CountDownLatch(clients);
		CountDownLatch gate = new CountDownLatch(1);
		AtomicInteger mismatches = new AtomicInteger();
		ExecutorService executor = Executors.newFixedThreadPool(clients);
		try {
			List<Future<Integer>> results = new ArrayList<>();
			for (int c = 0; c < clients; c++) {
				int client = c;
				results.add(executor.submit(() -> {
					// a generous timeout: 400 threads share two cores here
					try (Jedis jedis = new Jedis(HOST, this.port, 15_000)) {
						assertThat(jedis.ping()).isEqualTo("PONG");
						connected.countDown();
						if (!gate.await(30, TimeUnit.SECONDS)) {
							throw new IllegalStateException("the gate did not open");
						}
						int matched = 0;
						for (int i = 0; i < rounds; i++) {
							jedis.incr(counter);
							String key = "concurrent:" + client;
							String value = client + ":" + i;
							jedis.set(key, value);
							if (value.equals(jedis.get(key))) {
								matched++;
							}
							else {
								mismatches.incrementAndGet();
							}
						}
						return matched;
					}
				}));
			}
			assertThat(connected.await(20, TimeUnit.SECONDS)).as("all clients connected").isTrue();
			// every client is served at the same time: one running handler each
			assertThat(this.server.getActiveConnections()).isGreaterThanOrEqualTo(clients);
			gate.countDown();
			int matched = 0;
			for (Future<Integer> result : results) {
				matched += result.get(25, TimeUnit.SECONDS);
			}
			assertThat(mismatches).hasValue(0);
			assertThat(matched).isEqualTo(clients * rounds);
		}
		finally {
			gate.countDown();
			executor.shutdownNow();
			assertThat(executor.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
		}
		try (Jedis jedis = jedis()) {
			assertThat(jedis.get(counter)).isEqualTo(Integer.toString(clients * rounds));
			assertThat(jedis.get("concurrent:7")).isEqualTo("7:" + (rounds - 1));
		}
	}

	@Test
	void protocolErrorClosesOnlyThatConnection() throws IOException {
		try (Jedis before = jedis()) {
			assertThat(before.set("proto:k", "v")).isEqualTo("OK");
			try (Socket socket = rawSocket()) {
				send(socket, "*1\r\n$x\r\n");
				// the whole reply, then end of stream: the server closed the connection
				assertThat(text(socket.getInputStream().readAllBytes()))
					.isEqualTo("-ERR Protocol error: invalid bulk length\r\n");
			}
			assertThat(before.get("proto:k")).isEqualTo("v");
			try (Jedis after = jedis()) {
				assertThat(after.ping()).isEqualTo("PONG");
				assertThat(after.get("proto:k")).isEqualTo("v");
			}
			assertThat(before.ping()).isEqualTo("PONG");
		}
	}

	@Test
	void otherProtocolErrors() throws IOException {
		assertThat(exchangeUntilEnd("*1\r\n$-1\r\n")).isEqualTo("-ERR Protocol error: invalid bulk length\r\n");
		assertThat(exchangeUntilEnd("*x\r\n")).isEqualTo("-ERR Protocol error: invalid multibulk length\r\n");
		assertThat(exchangeUntilEnd("*1\r\n+PING\r\n")).isEqualTo("-ERR Protocol error: expected '$', got '+'\r\n");
		// replies to the commands before the bad one are sent first
		assertThat(exchangeUntilEnd("PING\r\n*1\r\n$4\r\nPINGxx"))
			.isEqualTo("+PONG\r\n-ERR Protocol error: expected CRLF after a bulk string\r\n");
		try (Jedis jedis = jedis()) {
			assertThat(jedis.ping()).isEqualTo("PONG");
		}
	}

	@Test
	void inlineCommands() throws IOException {
		try (Socket socket = rawSocket()) {
			send(socket, "PING\r\n");
			// answered at once, without the client closing its side
			assertThat(text(socket.getInputStream().readNBytes(7))).isEqualTo("+PONG\r\n");
			send(socket, "SET inline:k hello\r\nGET inline:k\r\n\r\necho   spaced  \n");
			socket.shutdownOutput();
			assertThat(text(socket.getInputStream().readAllBytes())).isEqualTo("+OK\r\n$5\r\nhello\r\n$6\r\nspaced\r\n");
		}
		try (Jedis jedis = jedis()) {
			assertThat(jedis.get("inline:k")).isEqualTo("hello");
		}
	}

	/** Issue 13: inline arguments in quotes were split at their spaces, where Redis keeps them whole. */
	@Test
	void inlineQuotedArgumentsAreKeptWhole() throws IOException {
		assertThat(exchangeUntilEnd("SET qk \"a b\"\r\nGET qk\r\nSET 'q\\'s' \"\\x41\\tB\"\r\nGET \"q's\"\r\nQUIT\r\n"))
			.isEqualTo("+OK\r\n$3\r\na b\r\n+OK\r\n$3\r\nA\tB\r\n+OK\r\n");
		assertThat(exchangeUntilEnd("PING\r\nSET qk \"a b\"c\r\n"))
			.isEqualTo("+PONG\r\n-ERR Protocol error: unbalanced quotes in request\r\n");
	}

	@Test
	void replyBeforeAnEmptyCommandIsSentAtOnce() throws IOException {
		for (String empty : new String[] { "\r\n", "*0\r\n" }) {
			try (Socket socket = rawSocket()) {
				send(socket, "PING\r\n" + empty);
				assertThat(text(socket.getInputStream().readNBytes(7))).isEqualTo("+PONG\r\n");
			}
		}
	}

	@Test
	void clientsClosingWithAResetAreNotHandlerErrors() {
		Timer errors = this.meters.get("gserver.handler.duration").tag("name", "gserver").tag("outcome", "error").timer();
		Timer successes = this.meters.get("gserver.handler.duration").tag("name", "gserver").tag("outcome", "success").timer();
		long errorsBefore = errors.count();
		long successesBefore = successes.count();
		for (int i = 0; i < 5; i++) {
			// Jedis closes its socket with SO_LINGER 0: a reset
			try (Jedis jedis = jedis()) {
				assertThat(jedis.ping()).isEqualTo("PONG");
			}
		}
		await().atMost(Duration.ofSeconds(10)).until(() -> successes.count() >= successesBefore + 5);
		assertThat(errors.count()).isEqualTo(errorsBefore);
	}

	@Test
	void actuatorHealthIsUp() throws Exception {
		HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
		HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.httpPort + "/actuator/health"))
			.timeout(Duration.ofSeconds(10))
			.GET()
			.build();
		HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		assertThat(response.body()).containsPattern("^\\{.*\"status\"\\s*:\\s*\"UP\"").doesNotContain("DOWN");
		assertThat(this.httpPort).isNotEqualTo(this.port);
	}

	/** The same application with {@code sample.max-bulk-length} at 1 KB and requests at 2 KB: a context of its own. */
	@Nested
	@TestPropertySource(properties = { "sample.max-bulk-length=1KB", "sample.max-request-size=2KB" })
	class SmallMaxBulkLength {

		@Value("${local.gserver.port}")
		int smallPort;

		@Test
		void bulkAtTheLimitIsAccepted() {
			byte[] value = new byte[1024];
			Arrays.fill(value, (byte) 'v');
			try (Jedis jedis = new Jedis(HOST, this.smallPort)) {
				assertThat(jedis.set("limit:k".getBytes(StandardCharsets.US_ASCII), value)).isEqualTo("OK");
				assertThat(jedis.get("limit:k".getBytes(StandardCharsets.US_ASCII))).isEqualTo(value);
			}
		}

		@Test
		void overLongBulkIsRefusedAndClosed() throws IOException {
			try (Jedis before = new Jedis(HOST, this.smallPort)) {
				assertThat(before.ping()).isEqualTo("PONG");
				assertThat(exchangeUntilEnd(this.smallPort, "*2\r\n$3\r\nGET\r\n$999999999\r\n"))
					.isEqualTo("-ERR Protocol error: invalid bulk length\r\n");
				// one byte over: refused as soon as the length is read, before any payload
				assertThat(exchangeUntilEnd(this.smallPort, "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1025\r\n"))
					.isEqualTo("-ERR Protocol error: invalid bulk length\r\n");
				// a length that could never be allocated
				assertThat(exchangeUntilEnd(this.smallPort, "*2\r\n$3\r\nGET\r\n$9223372036854775807\r\n"))
					.isEqualTo("-ERR Protocol error: invalid bulk length\r\n");
				assertThat(before.ping()).isEqualTo("PONG");
				assertThat(before.exists("k")).isFalse();
			}
			try (Jedis after = new Jedis(HOST, this.smallPort)) {
				assertThat(after.ping()).isEqualTo("PONG");
			}
		}

		@Test
		void requestLargerThanTheLimitInAllIsRefusedAsItsLengthsAreRead() throws IOException {
			String kilobyte = "v".repeat(1024);
			try (Jedis jedis = new Jedis(HOST, this.smallPort)) {
				// 3 + 1020 + 1024 bytes of bulks: under the 2 KB limit
				assertThat(jedis.del("k".repeat(1020), kilobyte)).isZero();
			}
			// 3 + 1024 + 1024: refused when the last length is read, before its bytes are sent
			assertThat(exchangeUntilEnd(this.smallPort, "*3\r\n$3\r\nDEL\r\n$1024\r\n" + kilobyte + "\r\n$1024\r\n"))
				.isEqualTo("-ERR Protocol error: request too large\r\n");
		}

	}

	private Jedis jedis() {
		return new Jedis(HOST, this.port);
	}

	private Socket rawSocket() throws IOException {
		return rawSocket(this.port);
	}

	private static Socket rawSocket(int port) throws IOException {
		Socket socket = new Socket();
		try {
			socket.connect(new InetSocketAddress(HOST, port), 5000);
			socket.setSoTimeout(10_000);
		}
		catch (IOException ex) {
			socket.close();
			throw ex;
		}
		return socket;
	}

	private String exchangeUntilEnd(String request) throws IOException {
		return exchangeUntilEnd(this.port, request);
	}

	/**
	 * Sends {@code request} in one write and reads until the server closes the connection; a
	 * server that keeps it open fails the read with a timeout.
	 */
	private static String exchangeUntilEnd(int port, String request) throws IOException {
		try (Socket socket = rawSocket(port)) {
			send(socket, request);
			return text(socket.getInputStream().readAllBytes());
		}
	}

	private static void send(Socket socket, String data) throws IOException {
		OutputStream out = socket.getOutputStream();
		out.write(data.getBytes(StandardCharsets.ISO_8859_1));
		out.flush();
	}

	private static String text(byte[] bytes) {
		return new String(bytes, StandardCharsets.ISO_8859_1);
	}

	private static byte[] concat(byte[]... parts) {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		for (byte[] part : parts) {
			out.writeBytes(part);
		}
		return out.toByteArray();
	}

}
