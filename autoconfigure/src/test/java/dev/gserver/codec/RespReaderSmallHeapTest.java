package dev.gserver.codec;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/** Hostile lengths against {@link RespReader} where allocating one would show: a 64 MB heap. */
class RespReaderSmallHeapTest {

	/**
	 * Lengths of up to 2 GB, declared in a child JVM of 64 MB heap: were one allocated from its
	 * header, the child would die of an OutOfMemoryError.
	 */
	@Test
	void twoGigabyteLengthsAreRefusedUnderASmallHeap() throws Exception {
		Path java = Path.of(System.getProperty("java.home"), "bin", "java");
		Process child = new ProcessBuilder(java.toString(), "-Xmx64m", "-cp", System.getProperty("java.class.path"),
				SmallHeap.class.getName())
			.redirectErrorStream(true)
			.start();
		String output;
		try {
			assertThat(child.waitFor(60, TimeUnit.SECONDS)).as("the child JVM finished").isTrue();
			output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		}
		finally {
			child.destroyForcibly();
		}
		assertThat(output).contains("refused 4000 of 4000");
		assertThat(child.exitValue()).as(output).isZero();
	}

	/** Run in the child JVM: every input must end in a refusal, none in an OutOfMemoryError. */
	static final class SmallHeap {

		public static void main(String[] args) {
			String[] inputs = { "*1\r\n$2000000000\r\nabc", "*1\r\n$2147483647\r\nabc", "*2\r\n$3\r\nGET\r\n$2147483639\r\nab",
					"*2147483647\r\n$2000000000\r\n" };
			int refused = 0;
			for (int i = 0; i < 1000; i++) {
				for (String input : inputs) {
					// with the limits off as far as they go, and with the defaults
					RespReader reader = (i % 2 == 0) ? RespReader.of(new ByteArrayInputStream(ascii(input)))
						: RespReaderFuzzTest.reader(new ByteArrayInputStream(ascii(input)), Long.MAX_VALUE).maxArguments(Integer.MAX_VALUE);
					try {
						reader.readCommand();
					}
					catch (FrameException ex) {
						refused++;
					}
					catch (IOException ex) {
						throw new IllegalStateException(ex);
					}
				}
			}
			System.out.println("refused " + refused + " of " + (inputs.length * 1000));
		}

	}

	private static byte[] ascii(String text) {
		return text.getBytes(StandardCharsets.ISO_8859_1);
	}

}
