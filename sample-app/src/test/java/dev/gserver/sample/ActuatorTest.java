package dev.gserver.sample;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

import dev.gserver.StreamServer;
import redis.clients.jedis.Jedis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Health, metrics, Prometheus and the gserver endpoint of the running sample, over real HTTP. */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "gserver.port=0", "gserver.servers.chat.port=0", "gserver.address=127.0.0.1", "gserver.spawn=2" })
@Timeout(60)
class ActuatorTest {

	private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	@Value("${local.gserver.port}")
	private int port;

	@Value("${local.server.port}")
	private int httpPort;

	@Autowired
	@Qualifier("gserver")
	private StreamServer server;

	/**
	 * Each connection is a gserver.connection observation, for spans; its meter is
	 * gserver.handler.duration, so Spring Boot's meter handler makes no second timer of it.
	 */
	@Test
	void theConnectionObservationAddsNoSeriesToTheScrape() throws Exception {
		try (Jedis jedis = new Jedis("127.0.0.1", this.port)) {
			assertThat(jedis.ping()).isEqualTo("PONG");
		}
		await().atMost(Duration.ofSeconds(10))
			.until(() -> get("/actuator/prometheus").body()
				.contains("gserver_handler_duration_seconds_count{name=\"gserver\",outcome=\"success\"}"));
		// a meter handler would have started the active-connection timer as the connection began
		assertThat(get("/actuator/prometheus").body()).doesNotContain("gserver_connection_");
	}

	@Test
	void healthFollowsTheDrainSwitchOfTheEndpoint() throws Exception {
		assertThat(get("/actuator/health/gserver").body()).contains("\"status\":\"UP\"");
		HttpResponse<String> paused = post("/actuator/gserver/gserver", "{\"accepting\": false}");
		assertThat(paused.statusCode()).isEqualTo(200);
		assertThat(paused.body()).contains("\"state\":\"PAUSED\"");
		HttpResponse<String> outOfService = get("/actuator/health/gserver");
		assertThat(outOfService.statusCode()).isEqualTo(503);
		assertThat(outOfService.body()).contains("\"status\":\"OUT_OF_SERVICE\"");
		assertThat(post("/actuator/gserver/gserver", "{\"accepting\": true}").body()).contains("\"state\":\"ACCEPTING\"");
		assertThat(get("/actuator/health/gserver").body()).contains("\"status\":\"UP\"");
		try (Jedis jedis = new Jedis("127.0.0.1", this.port)) {
			assertThat(jedis.ping()).isEqualTo("PONG");
		}
	}

	@Test
	void endpointListsTheServer() throws Exception {
		HttpResponse<String> all = get("/actuator/gserver");
		assertThat(all.statusCode()).isEqualTo(200);
		assertThat(all.body()).contains("\"gserver\"").contains("\"port\":" + this.port).contains("\"spawn\":\"pool(2)\"");
		assertThat(get("/actuator/gserver/nosuch").statusCode()).isEqualTo(404);
		assertThat(post("/actuator/gserver/nosuch", "{\"accepting\": false}").statusCode()).isEqualTo(404);
	}

	@Test
	void readinessRefusesTrafficWhileEveryServerIsPaused() throws Exception {
		assertThat(get("/actuator/health/readiness").statusCode()).isEqualTo(200);
		try {
			assertThat(post("/actuator/gserver/gserver", "{\"accepting\": false}").statusCode()).isEqualTo(200);
			// the chat server still serves
			assertThat(get("/actuator/health/readiness").statusCode()).isEqualTo(200);
			assertThat(post("/actuator/gserver/chat", "{\"accepting\": false}").statusCode()).isEqualTo(200);
			HttpResponse<String> refusing = get("/actuator/health/readiness");
			assertThat(refusing.statusCode()).isEqualTo(503);
			assertThat(refusing.body()).contains("\"status\":\"OUT_OF_SERVICE\"");
		}
		finally {
			post("/actuator/gserver/gserver", "{\"accepting\": true}");
			post("/actuator/gserver/chat", "{\"accepting\": true}");
		}
		HttpResponse<String> ready = get("/actuator/health/readiness");
		assertThat(ready.statusCode()).isEqualTo(200);
		assertThat(ready.body()).contains("\"status\":\"UP\"");
	}

	@Test
	void poolUsageReadsOneWhileThePoolIsFull() throws Exception {
		try (Jedis first = new Jedis("127.0.0.1", this.port); Jedis second = new Jedis("127.0.0.1", this.port)) {
			assertThat(first.ping()).isEqualTo("PONG");
			assertThat(second.ping()).isEqualTo("PONG");
			assertThat(this.server.isFull()).isTrue();
			assertThat(get("/actuator/metrics/gserver.pool.usage").body()).contains("\"value\":1.0");
			HttpResponse<String> health = get("/actuator/health/gserver");
			assertThat(health.statusCode()).isEqualTo(200);
		}
		await().atMost(Duration.ofSeconds(10)).until(() -> !this.server.isFull());
		assertThat(get("/actuator/metrics/gserver.pool.usage").body()).contains("\"value\":0.0");
	}

	@Test
	void prometheusHasEveryGserverSeries() throws Exception {
		try (Jedis jedis = new Jedis("127.0.0.1", this.port)) {
			assertThat(jedis.ping()).isEqualTo("PONG");
		}
		await().atMost(Duration.ofSeconds(10)).until(() -> this.server.getActiveConnections() == 0);
		String scrape = get("/actuator/prometheus").body();
		for (String series : List.of("gserver_connections_accepted_connections_total{name=\"gserver\"",
				"gserver_connections_active_connections{name=\"gserver\"",
				"gserver_connections_rejected_connections_total{name=\"gserver\"",
				"gserver_pool_size_threads{name=\"gserver\"", "gserver_pool_active_threads{name=\"gserver\"",
				"gserver_pool_usage_ratio{name=\"gserver\"", "gserver_pool_saturated_events_total{name=\"gserver\"",
				"gserver_handler_duration_seconds_bucket{", "gserver_handler_duration_seconds_count{",
				"gserver_bytes_received_bytes_total{name=\"gserver\"", "gserver_bytes_sent_bytes_total{name=\"gserver\"")) {
			assertThat(scrape).contains(series);
		}
		assertThat(scrape).containsPattern("gserver_handler_duration_seconds_count\\{name=\"gserver\",outcome=\"success\"} [1-9]");
	}

	private HttpResponse<String> get(String path) throws Exception {
		return this.http.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(10)).GET().build(),
				HttpResponse.BodyHandlers.ofString());
	}

	private HttpResponse<String> post(String path, String json) throws Exception {
		return this.http.send(HttpRequest.newBuilder(uri(path))
			.timeout(Duration.ofSeconds(10))
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString(json))
			.build(), HttpResponse.BodyHandlers.ofString());
	}

	private URI uri(String path) {
		return URI.create("http://127.0.0.1:" + this.httpPort + path);
	}

}
