package dev.gserver.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.KeyValue;
import io.lettuce.core.LettuceFutures;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.ScanIterator;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.RedisProtocol;
import redis.clients.jedis.Response;
import redis.clients.jedis.args.ExpiryOption;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * The sample's commands through two real client libraries, each used through its ordinary API as
 * an application would: Jedis (RESP2, and RESP3 when asked) and Lettuce (RESP3 by default: it
 * opens every connection with HELLO 3). The application runs on a random port, in a context
 * shared with {@link RedisTranscriptTest}. Keys are prefixed per test, because other tests of the
 * context flush the database.
 */
// no web environment: a context of its own, not SampleApplicationTest's, which this would otherwise
// share; the test framework pauses (stops) a cached context between its users, and a gserver
// lifecycle stop turns readiness to REFUSING_TRAFFIC for good, failing SampleApplicationTest's health check
@SpringBootTest(webEnvironment = WebEnvironment.NONE, properties = { "gserver.port=0", "gserver.servers.chat.port=0", "gserver.address=127.0.0.1" })
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ClientLibrariesTest {

	private static final String HOST = "127.0.0.1";

	private static final Duration TIMEOUT = Duration.ofSeconds(10);

	@Value("${local.gserver.port}")
	int port;

	private RedisClient lettuce;

	@AfterEach
	void shutDownLettuce() {
		if (this.lettuce != null) {
			this.lettuce.shutdown(Duration.ZERO, TIMEOUT);
		}
	}

	@Test
	void jedisCounters() {
		try (Jedis jedis = jedis()) {
			jedis.del("jc:n", "jc:text");
			assertThat(jedis.incr("jc:n")).isEqualTo(1);
			assertThat(jedis.incrBy("jc:n", 41)).isEqualTo(42);
			assertThat(jedis.decr("jc:n")).isEqualTo(41);
			assertThat(jedis.decrBy("jc:n", 50)).isEqualTo(-9);
			assertThat(jedis.incrBy("jc:n", -1)).isEqualTo(-10);
			assertThat(jedis.get("jc:n")).isEqualTo("-10");
			jedis.set("jc:text", "ten");
			assertThatExceptionOfType(JedisDataException.class).isThrownBy(() -> jedis.incrBy("jc:text", 2))
				.withMessage("ERR value is not an integer or out of range");
			jedis.set("jc:n", Long.toString(Long.MAX_VALUE - 1));
			assertThatExceptionOfType(JedisDataException.class).isThrownBy(() -> jedis.incrBy("jc:n", 2))
				.withMessage("ERR increment or decrement would overflow");
			assertThatExceptionOfType(JedisDataException.class).isThrownBy(() -> jedis.decrBy("jc:n", Long.MIN_VALUE))
				.withMessage("ERR decrement would overflow");
			assertThat(jedis.get("jc:n")).isEqualTo(Long.toString(Long.MAX_VALUE - 1));
		}
	}

	@Test
	@SuppressWarnings("deprecation") // Jedis deprecates setnx, as Redis does SETNX, for SET NX; clients still send it
	void jedisStrings() {
		try (Jedis jedis = jedis()) {
			jedis.del("js:a", "js:b", "js:c", "js:new");
			assertThat(jedis.mset("js:a", "1", "js:b", "2")).isEqualTo("OK");
			assertThat(jedis.mget("js:a", "js:missing", "js:b")).containsExactly("1", null, "2");
			assertThat(jedis.setnx("js:a", "other")).isZero();
			assertThat(jedis.setnx("js:c", "3")).isEqualTo(1);
			assertThat(jedis.get("js:a")).isEqualTo("1");
			assertThat(jedis.append("js:a", "23")).isEqualTo(3);
			assertThat(jedis.append("js:new", "fresh")).isEqualTo(5);
			assertThat(jedis.strlen("js:a")).isEqualTo(3);
			assertThat(jedis.strlen("js:missing")).isZero();
			assertThat(jedis.get("js:a")).isEqualTo("123");
			assertThat(jedis.type("js:a")).isEqualTo("string");
			assertThat(jedis.type("js:missing")).isEqualTo("none");
		}
	}

	@Test
	void jedisExpiry() {
		try (Jedis jedis = jedis()) {
			jedis.set("je:k", "v");
			assertThat(jedis.ttl("je:k")).isEqualTo(-1);
			assertThat(jedis.ttl("je:missing")).isEqualTo(-2);
			assertThat(jedis.pttl("je:missing")).isEqualTo(-2);
			assertThat(jedis.expire("je:k", 100)).isEqualTo(1);
			assertThat(jedis.ttl("je:k")).isBetween(99L, 100L);
			assertThat(jedis.pttl("je:k")).isBetween(90_000L, 100_000L);
			// NX: only without an expiry; GT: only later than the current one
			assertThat(jedis.expire("je:k", 500, ExpiryOption.NX)).isZero();
			assertThat(jedis.expire("je:k", 500, ExpiryOption.GT)).isEqualTo(1);
			assertThat(jedis.ttl("je:k")).isBetween(499L, 500L);
			assertThat(jedis.pexpire("je:k", 200_000)).isEqualTo(1);
			assertThat(jedis.pttl("je:k")).isBetween(190_000L, 200_000L);
			assertThat(jedis.persist("je:k")).isEqualTo(1);
			assertThat(jedis.persist("je:k")).isZero();
			assertThat(jedis.ttl("je:k")).isEqualTo(-1);
			assertThat(jedis.expire("je:missing", 10)).isZero();
			// a time already past deletes the key
			assertThat(jedis.expire("je:k", -1)).isEqualTo(1);
			assertThat(jedis.exists("je:k")).isFalse();
		}
	}

	@Test
	void jedisKeysAndScanToTheEnd() {
		try (Jedis jedis = jedis()) {
			Set<String> expected = new HashSet<>();
			for (int i = 0; i < 120; i++) {
				jedis.set("jk:item:" + i, "v");
				expected.add("jk:item:" + i);
			}
			jedis.set("jk:other", "v");
			assertThat(jedis.keys("jk:item:*")).isEqualTo(expected);
			assertThat(jedis.keys("jk:item:1?")).containsExactlyInAnyOrder("jk:item:10", "jk:item:11", "jk:item:12",
					"jk:item:13", "jk:item:14", "jk:item:15", "jk:item:16", "jk:item:17", "jk:item:18", "jk:item:19");
			assertThat(jedis.keys("jk:[o]ther")).containsExactly("jk:other");

			ScanParams params = new ScanParams().match("jk:item:*").count(15);
			List<String> seen = new ArrayList<>();
			String cursor = ScanParams.SCAN_POINTER_START;
			int steps = 0;
			do {
				ScanResult<String> result = jedis.scan(cursor, params);
				seen.addAll(result.getResult());
				cursor = result.getCursor();
				steps++;
			}
			while (!cursor.equals(ScanParams.SCAN_POINTER_START) && steps < 10_000);
			assertThat(cursor).as("ended with cursor 0").isEqualTo("0");
			assertThat(seen).doesNotHaveDuplicates();
			assertThat(new HashSet<>(seen)).isEqualTo(expected);
			// COUNT 15 over at least 121 keys cannot be done in fewer steps
			assertThat(steps).isGreaterThanOrEqualTo(9);
		}
	}

	@Test
	void jedisPipeline() {
		try (Jedis jedis = jedis()) {
			jedis.del("jp:n", "jp:s");
			Response<Long> incr;
			Response<Long> incrBy;
			Response<String> mset;
			Response<List<String>> mget;
			Response<Long> expire;
			Response<Long> ttl;
			Response<Long> append;
			try (Pipeline pipeline = jedis.pipelined()) {
				incr = pipeline.incr("jp:n");
				incrBy = pipeline.incrBy("jp:n", 9);
				mset = pipeline.mset("jp:s", "a", "jp:t", "b");
				mget = pipeline.mget("jp:n", "jp:s", "jp:t", "jp:none");
				expire = pipeline.expire("jp:s", 60);
				ttl = pipeline.ttl("jp:s");
				append = pipeline.append("jp:s", "bc");
				pipeline.sync();
			}
			assertThat(incr.get()).isEqualTo(1);
			assertThat(incrBy.get()).isEqualTo(10);
			assertThat(mset.get()).isEqualTo("OK");
			assertThat(mget.get()).containsExactly("10", "a", "b", null);
			assertThat(expire.get()).isEqualTo(1);
			assertThat(ttl.get()).isBetween(59L, 60L);
			assertThat(append.get()).isEqualTo(3);
			// APPEND keeps the expiry, as in Redis
			assertThat(jedis.ttl("jp:s")).isBetween(59L, 60L);
		}
	}

	@Test
	void jedisOverResp3() {
		try (Jedis jedis = new Jedis(new HostAndPort(HOST, this.port),
				DefaultJedisClientConfig.builder().protocol(RedisProtocol.RESP3).timeoutMillis(10_000).build())) {
			assertThat(jedis.clientInfo()).contains(" resp=3");
			jedis.del("j3:k");
			assertThat(jedis.get("j3:k")).isNull();
			assertThat(jedis.incrBy("j3:k", 3)).isEqualTo(3);
			assertThat(jedis.mget("j3:k", "j3:none")).containsExactly("3", null);
			assertThat(jedis.configGet("save")).containsExactly(Map.entry("save", ""));
			// INFO is a RESP3 verbatim string, whose "txt:" Jedis keeps: it does the same with redis-server
			assertThat(jedis.info("server")).startsWith("txt:# Server\r\nredis_version:7.0.0\r\n");
		}
	}

	@Test
	void lettuceNegotiatesResp3ThenServesCommands() {
		RedisCommands<String, String> redis = lettuce().sync();
		// Lettuce opened the connection with HELLO 3: the server now speaks RESP3 to it
		assertThat(redis.clientInfo()).contains(" resp=3");
		redis.del("lt:n", "lt:a", "lt:b", "lt:c");
		assertThat(redis.incr("lt:n")).isEqualTo(1);
		assertThat(redis.incrby("lt:n", 4)).isEqualTo(5);
		assertThat(redis.decr("lt:n")).isEqualTo(4);
		assertThat(redis.decrby("lt:n", 10)).isEqualTo(-6);
		Map<String, String> values = new LinkedHashMap<>();
		values.put("lt:a", "1");
		values.put("lt:b", "2");
		assertThat(redis.mset(values)).isEqualTo("OK");
		// a missing key is RESP3's null in the MGET array
		assertThat(redis.mget("lt:a", "lt:none", "lt:b")).containsExactly(KeyValue.just("lt:a", "1"),
				KeyValue.empty("lt:none"), KeyValue.just("lt:b", "2"));
		assertThat(redis.get("lt:none")).isNull();
		assertThat(redis.setnx("lt:a", "x")).isFalse();
		assertThat(redis.setnx("lt:c", "3")).isTrue();
		assertThat(redis.append("lt:c", "45")).isEqualTo(3);
		assertThat(redis.strlen("lt:c")).isEqualTo(3);
		assertThat(redis.type("lt:c")).isEqualTo("string");
		assertThat(redis.expire("lt:c", 30)).isTrue();
		assertThat(redis.ttl("lt:c")).isBetween(29L, 30L);
		assertThat(redis.pttl("lt:c")).isBetween(29_000L, 30_000L);
		assertThat(redis.persist("lt:c")).isTrue();
		assertThat(redis.ttl("lt:c")).isEqualTo(-1);
		// CONFIG GET is a RESP3 map, INFO a verbatim string
		assertThat(redis.configGet("save", "appendonly")).containsOnly(Map.entry("save", ""),
				Map.entry("appendonly", "no"));
		assertThat(redis.configGet("nosuch")).isEmpty();
		assertThat(redis.info("keyspace")).startsWith("# Keyspace\r\ndb0:keys=");
		assertThat(redis.select(0)).isEqualTo("OK");
		assertThat(redis.ping()).isEqualTo("PONG");
	}

	@Test
	void lettuceScansToTheEnd() {
		RedisCommands<String, String> redis = lettuce().sync();
		Set<String> expected = new HashSet<>();
		for (int i = 0; i < 75; i++) {
			redis.set("ls:" + i, "v");
			expected.add("ls:" + i);
		}
		redis.set("lsx", "not matched");
		assertThat(new HashSet<>(redis.keys("ls:*"))).isEqualTo(expected);

		// by hand, cursor by cursor
		List<String> seen = new ArrayList<>();
		KeyScanCursor<String> cursor = redis.scan(ScanArgs.Builder.matches("ls:*").limit(10));
		seen.addAll(cursor.getKeys());
		int steps = 1;
		while (!cursor.isFinished() && steps < 10_000) {
			cursor = redis.scan(ScanCursor.of(cursor.getCursor()), ScanArgs.Builder.matches("ls:*").limit(10));
			seen.addAll(cursor.getKeys());
			steps++;
		}
		assertThat(cursor.getCursor()).isEqualTo("0");
		assertThat(seen).doesNotHaveDuplicates();
		assertThat(new HashSet<>(seen)).isEqualTo(expected);

		// and with Lettuce's iterator
		Set<String> iterated = new HashSet<>();
		ScanIterator.scan(redis, ScanArgs.Builder.matches("ls:*").limit(7)).forEachRemaining(iterated::add);
		assertThat(iterated).isEqualTo(expected);
	}

	@Test
	void lettucePipeline() {
		StatefulRedisConnection<String, String> connection = lettuce();
		RedisAsyncCommands<String, String> async = connection.async();
		async.del("lp:n", "lp:s");
		// commands queue up unsent until flushCommands: one write, replies read back in order
		connection.setAutoFlushCommands(false);
		List<RedisFuture<?>> futures = new ArrayList<>();
		RedisFuture<Long> incr = async.incr("lp:n");
		RedisFuture<Long> incrBy = async.incrby("lp:n", 99);
		RedisFuture<String> set = async.set("lp:s", "v");
		RedisFuture<Boolean> expire = async.expire("lp:s", 60);
		RedisFuture<Long> ttl = async.ttl("lp:s");
		RedisFuture<List<KeyValue<String, String>>> mget = async.mget("lp:n", "lp:s", "lp:none");
		futures.add(incr);
		futures.add(incrBy);
		futures.add(set);
		futures.add(expire);
		futures.add(ttl);
		futures.add(mget);
		for (int i = 0; i < 200; i++) {
			futures.add(async.incr("lp:n"));
		}
		connection.flushCommands();
		assertThat(LettuceFutures.awaitAll(TIMEOUT, futures.toArray(RedisFuture[]::new))).isTrue();
		connection.setAutoFlushCommands(true);
		assertThat(incr.toCompletableFuture().join()).isEqualTo(1);
		assertThat(incrBy.toCompletableFuture().join()).isEqualTo(100);
		assertThat(set.toCompletableFuture().join()).isEqualTo("OK");
		assertThat(expire.toCompletableFuture().join()).isTrue();
		assertThat(ttl.toCompletableFuture().join()).isBetween(59L, 60L);
		assertThat(mget.toCompletableFuture().join()).containsExactly(KeyValue.just("lp:n", "100"),
				KeyValue.just("lp:s", "v"), KeyValue.empty("lp:none"));
		assertThat(connection.sync().get("lp:n")).isEqualTo("300");
	}

	private Jedis jedis() {
		return new Jedis(HOST, this.port, 10_000);
	}

	private StatefulRedisConnection<String, String> lettuce() {
		this.lettuce = RedisClient.create(RedisURI.Builder.redis(HOST, this.port).withTimeout(TIMEOUT).build());
		return this.lettuce.connect();
	}

}
