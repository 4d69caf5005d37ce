package dev.gserver.test;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.util.Arrays;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

@Timeout(30)
class BytePipeTest {

	private static long in(long millis) {
		return System.nanoTime() + millis * 1_000_000;
	}

	@Test
	void bytesComeOutInOrderAcrossTheRingsWrapAndGrowth() throws IOException {
		BytePipe pipe = new BytePipe(4096);
		byte[] out = new byte[700];
		for (int round = 0; round < 20; round++) {
			byte[] chunk = new byte[1000 + round];
			Arrays.fill(chunk, (byte) round);
			pipe.write(chunk, 0, chunk.length, in(1000));
			int read = 0;
			while (read < chunk.length) {
				int n = pipe.read(out, 0, Math.min(out.length, chunk.length - read), in(1000));
				for (int i = 0; i < n; i++) {
					assertThat(out[i]).isEqualTo((byte) round);
				}
				read += n;
			}
		}
	}

	@Test
	void aFullPipeMakesTheWriterWaitUntilItsDeadline() {
		BytePipe pipe = new BytePipe(1024);
		assertThatExceptionOfType(SocketTimeoutException.class)
			.isThrownBy(() -> pipe.write(new byte[1025], 0, 1025, in(100)));
		assertThat(pipe.drain()).hasSize(1024);
	}

	@Test
	void anEmptyPipeMakesTheReaderWaitUntilItsDeadline() {
		BytePipe pipe = new BytePipe(1024);
		assertThatExceptionOfType(SocketTimeoutException.class).isThrownBy(() -> pipe.read(new byte[1], 0, 1, in(100)));
	}

	@Test
	void closingEitherEnd() throws IOException {
		BytePipe pipe = new BytePipe(1024);
		pipe.write(new byte[] { 1 }, 0, 1, 0);
		pipe.closeWrite();
		byte[] one = new byte[4];
		assertThat(pipe.read(one, 0, 4, 0)).isEqualTo(1);
		assertThat(pipe.read(one, 0, 4, 0)).isEqualTo(-1);

		BytePipe dropping = new BytePipe(1024);
		dropping.closeRead(null);
		dropping.write(new byte[2048], 0, 2048, in(100));
		BytePipe failing = new BytePipe(1024);
		failing.closeRead(new IOException("gone"));
		assertThatExceptionOfType(IOException.class).isThrownBy(() -> failing.write(new byte[1], 0, 1, 0))
			.withMessage("gone");
		assertThatExceptionOfType(IOException.class).isThrownBy(() -> failing.read(one, 0, 1, 0));
	}

}
