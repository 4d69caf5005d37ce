package dev.gserver;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.gserver.codec.RespReader;
import dev.gserver.codec.RespWriter;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The attack of issue 16 in small: many clients each sending one large bulk string, each within
 * the reader's limits, together far beyond the heap, against a RESP server in a child JVM of 128 MB
 * (an input budget of 32 MB). The budget refuses them; no handler sees an
 * {@link OutOfMemoryError}, and a client sending small commands meanwhile is served throughout.
 */
@Timeout(120)
class InputBudgetAttackTest {

	private static final int ATTACKERS = 24;

	/** Each attacker's bulk: 24 of them are 1.4 GB, eleven times the child's heap. */
	private static final int BULK = 60_000_000;

	@Test
	void manyLargeFramesAreRefusedWithoutAnOutOfMemoryErrorWhileSmallCommandsAreServed() throws Exception {
		try (ChildJvm child = ChildJvm.start(List.of("-Xmx128m"), RespServer.class)) {
			int port = Integer.parseInt(child.readTagged("port"));
			AtomicInteger cut = new AtomicInteger();
			List<Thread> attackers = new ArrayList<>();
			for (int i = 0; i < ATTACKERS; i++) {
				Thread attacker = new Thread(() -> attack(port, cut), "attacker-" + i);
				attackers.add(attacker);
				attacker.start();
			}
			int pongs = 0;
			try (Socket innocent = Clients.connect(port)) {
				BufferedReader replies = new BufferedReader(
						new InputStreamReader(innocent.getInputStream(), StandardCharsets.US_ASCII));
				OutputStream out = innocent.getOutputStream();
				// served while the attack runs, and after it
				while (attackers.stream().anyMatch(Thread::isAlive) || pongs < 10) {
					out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
					out.flush();
					assertThat(replies.readLine()).isEqualTo("+PONG");
					pongs++;
				}
			}
			Clients.joinAll(attackers, Duration.ofSeconds(60));
			child.send("report");
			Map<String, Long> report = parse(child.readTagged("report"));
			assertThat(report.get("oom")).as("handlers that saw an OutOfMemoryError: %s", report).isZero();
			assertThat(report.get("completed")).as("attacks completed: %s", report).isZero();
			assertThat(report.get("refused")).as("clients the budget refused: %s", report).isEqualTo(ATTACKERS);
			assertThat(report.get("used")).as("bytes still held: %s", report).isZero();
			assertThat(cut).hasValue(ATTACKERS);
			assertThat(pongs).isGreaterThanOrEqualTo(10);
		}
	}

	/** Sends a SET whose value is one large bulk, as fast as the server takes it, until the server closes. */
	private static void attack(int port, AtomicInteger cut) {
		byte[] chunk = new byte[64 * 1024];
		Arrays.fill(chunk, (byte) 'x');
		try (Socket socket = Clients.connect(port)) {
			OutputStream out = socket.getOutputStream();
			out.write(("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$" + BULK + "\r\n").getBytes(StandardCharsets.US_ASCII));
			for (int sent = 0; sent < BULK; sent += chunk.length) {
				out.write(chunk, 0, Math.min(chunk.length, BULK - sent));
			}
			out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
			out.flush();
			// a reply would be a completed attack; the end of the stream is the refusal
			if (socket.getInputStream().read() < 0) {
				cut.incrementAndGet();
			}
		}
		catch (IOException ex) {
			// closed under the writes: refused
			cut.incrementAndGet();
		}
	}

	private static Map<String, Long> parse(String report) {
		return Arrays.stream(report.split(" "))
			.map((pair) -> pair.split("="))
			.collect(Collectors.toMap((pair) -> pair[0], (pair) -> Long.parseLong(pair[1])));
	}

	/** Run in the child JVM: a RESP server answering PING and SET; reports on a line of standard input. */
	static final class RespServer {

		public static void main(String[] args) throws Exception {
			LongAdder outOfMemory = new LongAdder();
			LongAdder completed = new LongAdder();
			StreamServer server = new StreamServer("127.0.0.1:0", (connection) -> {
				RespReader reader = RespReader.of(connection);
				RespWriter writer = RespWriter.of(connection);
				try {
					for (List<byte[]> command; (command = reader.readCommand()) != null;) {
						if (command.size() == 3) {
							completed.increment();
							writer.ok().flush();
						}
						else {
							writer.pong().flush();
						}
					}
				}
				catch (OutOfMemoryError ex) {
					outOfMemory.increment();
					throw ex;
				}
			});
			server.start();
			System.out.println("port " + server.getServerPort());
			new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
			server.stop(Duration.ofSeconds(10));
			InputBudget budget = server.getInputBudget();
			System.out.println("report oom=" + outOfMemory.sum() + " completed=" + completed.sum() + " refused="
					+ budget.getRefusalCount() + " used=" + budget.getUsed() + " waits=" + budget.getWaitCount());
		}

	}

}
