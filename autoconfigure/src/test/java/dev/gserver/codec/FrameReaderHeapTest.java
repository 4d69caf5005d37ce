package dev.gserver.codec;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Declared lengths of 2 GB and 4 GB under a heap of 64 MB, in a JVM of its own ({@link HugeLengths}):
 * in this JVM, with its large heap, an allocation from a declared length could pass unnoticed; there,
 * it is an OutOfMemoryError.
 */
@Timeout(120)
class FrameReaderHeapTest {

	@Test
	void hugeDeclaredLengthsAreRefusedOrWaitForTheirBytesUnderASmallHeap() throws IOException, InterruptedException {
		List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx64m",
				"-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"), HugeLengths.class.getName());
		Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
		try {
			// read to the end of its output before waiting, so that the child never blocks on a full pipe
			String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
			assertThat(child.waitFor(60, TimeUnit.SECONDS)).as("the child ended").isTrue();
			System.out.print(output);
			assertThat(output).contains("max heap").contains("DONE 24 passed, 0 failed").doesNotContain("FAIL");
			assertThat(child.exitValue()).as(output).isZero();
		}
		finally {
			child.destroyForcibly();
		}
	}

}
