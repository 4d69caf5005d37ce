package dev.gserver.benchmarks;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

import dev.gserver.codec.RespReader;

/**
 * Parsing pipelined Redis commands, with the {@code resp} parameter: {@code sample} (the baseline:
 * the sample's own reader before issue 13, {@link SampleRespReaderBaseline}) or {@code codec} (the
 * core's {@link RespReader}, on a {@code FrameReader}'s buffer, with Redis's limits).
 * <p>
 * One invocation is one connection's batch: a new reader over {@value #COMMANDS} multi-bulk
 * commands, SET and GET in turn, as a client library pipelines them, with values of
 * {@code valueSize} bytes; the score is per command. The stream is in memory, so that only the
 * parsing is measured.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class RespBenchmark {

	static final int COMMANDS = 1000;

	@State(Scope.Benchmark)
	public static class Pipelined {

		@Param({ "sample", "codec" })
		public String resp;

		@Param({ "16", "1024" })
		public int valueSize;

		byte[] input;

		@Setup
		public void encode() {
			ByteArrayOutputStream out = new ByteArrayOutputStream();
			String value = "v".repeat(this.valueSize);
			for (int i = 0; i < COMMANDS; i++) {
				String key = "key:" + (i / 2);
				String command = (i % 2 == 0) ? "*3\r\n$3\r\nSET\r\n$" + key.length() + "\r\n" + key + "\r\n$"
						+ value.length() + "\r\n" + value + "\r\n" : "*2\r\n$3\r\nGET\r\n$" + key.length() + "\r\n" + key + "\r\n";
				out.writeBytes(command.getBytes(StandardCharsets.US_ASCII));
			}
			this.input = out.toByteArray();
		}

	}

	@Benchmark
	@OperationsPerInvocation(COMMANDS)
	public int readPipelinedCommands(Pipelined state, Blackhole blackhole) throws IOException {
		ByteArrayInputStream in = new ByteArrayInputStream(state.input);
		int commands = 0;
		if (state.resp.equals("codec")) {
			RespReader reader = RespReader.of(in);
			for (List<byte[]> command; (command = reader.readCommand()) != null;) {
				blackhole.consume(command.get(command.size() - 1));
				commands++;
			}
		}
		else {
			SampleRespReaderBaseline reader = new SampleRespReaderBaseline(in, RespReader.DEFAULT_MAX_BULK_LENGTH,
					RespReader.DEFAULT_MAX_REQUEST_SIZE);
			for (List<byte[]> command; (command = reader.readCommand()) != null;) {
				blackhole.consume(command.get(command.size() - 1));
				commands++;
			}
		}
		if (commands != COMMANDS) {
			throw new IllegalStateException("read " + commands + " commands of " + COMMANDS);
		}
		return commands;
	}

}
