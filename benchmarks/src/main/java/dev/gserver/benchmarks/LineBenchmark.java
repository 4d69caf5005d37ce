package dev.gserver.benchmarks;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
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

import dev.gserver.codec.FrameReader;

/**
 * What gserver's bounded line reader costs against the unbounded one everybody reaches for:
 * {@link #readLines} reads {@value #LINES} lines of {@code lineLength} bytes (ASCII text ending
 * in CR LF, as a line protocol's client sends) from an in-memory stream, with a new reader per
 * {@value #LINES} lines as a connection would have; the score is per line. The
 * {@code lineReader} parameter is {@code bufferedreader} (the baseline:
 * {@link BufferedReader#readLine()} over an {@link InputStreamReader}, UTF-8, no limit),
 * {@code framereader} ({@link FrameReader#readLine()}: 8 KiB limit, strict UTF-8 decoding, CR LF
 * or LF) or {@code framereader-bytes} ({@link FrameReader#readLineBytes()}: the same without
 * decoding, for a protocol that parses bytes).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class LineBenchmark {

	static final int LINES = 1000;

	@State(Scope.Benchmark)
	public static class Input {

		@Param({ "bufferedreader", "framereader", "framereader-bytes" })
		public String lineReader;

		/** A short command (32) and a longer message (512), terminator excluded. */
		@Param({ "32", "512" })
		public int lineLength;

		byte[] bytes;

		@Setup
		public void writeLines() throws IOException {
			StringBuilder text = new StringBuilder();
			String alphabet = "abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ 0123456789:";
			for (int i = 0; i < LINES; i++) {
				for (int j = 0; j < this.lineLength; j++) {
					text.append(alphabet.charAt((i * 31 + j * 7) % alphabet.length()));
				}
				text.append("\r\n");
			}
			this.bytes = text.toString().getBytes(StandardCharsets.UTF_8);
			// every variant must read the same lines, or the comparison means nothing
			int read = read(this, new Blackhole(
					"Today's password is swordfish. I understand instantiating Blackholes directly is dangerous."));
			if (read != LINES * this.lineLength) {
				throw new IllegalStateException(this.lineReader + " read " + read + " characters, not " + LINES * this.lineLength);
			}
		}

	}

	@Benchmark
	@OperationsPerInvocation(LINES)
	public int readLines(Input input, Blackhole blackhole) throws IOException {
		return read(input, blackhole);
	}

	/** Reads every line, returning the characters (or bytes) read. */
	static int read(Input input, Blackhole blackhole) throws IOException {
		ByteArrayInputStream in = new ByteArrayInputStream(input.bytes);
		int total = 0;
		switch (input.lineReader) {
			case "bufferedreader" -> {
				BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
				for (String line; (line = reader.readLine()) != null;) {
					total += line.length();
					blackhole.consume(line);
				}
			}
			case "framereader" -> {
				FrameReader reader = FrameReader.of(in);
				for (String line; (line = reader.readLine()) != null;) {
					total += line.length();
					blackhole.consume(line);
				}
			}
			case "framereader-bytes" -> {
				FrameReader reader = FrameReader.of(in);
				for (byte[] line; (line = reader.readLineBytes()) != null;) {
					total += line.length;
					blackhole.consume(line);
				}
			}
			default -> throw new IllegalArgumentException("lineReader " + input.lineReader);
		}
		return total;
	}

}
