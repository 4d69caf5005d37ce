package dev.gserver;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Objects;

/**
 * A client's output as its handler writes it: bytes counted, and each write timed for the
 * server's {@link Deadlines} watchdog, which closes a connection whose write stays blocked too
 * long. Java's blocking socket writes have no timeout of their own, so the write only marks when
 * it started and when it last moved; the watchdog does the rest. Nothing is allocated per write.
 * <p>
 * A large write is handed to the socket {@link #CHUNK} bytes at a time, so that progress shows
 * between chunks: a client that reads a large reply slowly but steadily is never cut, one that
 * takes less than a chunk within the write timeout is. Chunking also keeps the JDK's temporary
 * direct buffer for a socket write (as large as the array written) at a chunk's size.
 */
final class ClientOutput extends OutputStream {

	/**
	 * The most handed to the socket at once: large enough that a bulk write costs few system
	 * calls, small enough that a client reading at a few KiB/s shows progress within any
	 * sensible write timeout. Redis writes at most 64 KiB per client per event loop turn too.
	 */
	static final int CHUNK = 64 * 1024;

	private final OutputStream out;

	private final SocketConnection connection;

	ClientOutput(OutputStream out, SocketConnection connection) {
		this.out = out;
		this.connection = connection;
	}

	@Override
	public void write(int b) throws IOException {
		SocketConnection connection = this.connection;
		connection.writeSince = Deadlines.now();
		try {
			this.out.write(b);
		}
		finally {
			connection.writeSince = 0;
		}
		connection.wrote(1);
	}

	@Override
	public void write(byte[] buffer, int offset, int length) throws IOException {
		Objects.checkFromIndexSize(offset, length, buffer.length);
		SocketConnection connection = this.connection;
		connection.writeSince = Deadlines.now();
		try {
			while (length > 0) {
				int chunk = Math.min(length, CHUNK);
				this.out.write(buffer, offset, chunk);
				offset += chunk;
				length -= chunk;
				// the client took a chunk: the next one's wait starts now
				connection.writeSince = connection.wrote(chunk);
			}
		}
		finally {
			connection.writeSince = 0;
		}
	}

	@Override
	public void flush() throws IOException {
		this.out.flush();
	}

	@Override
	public void close() throws IOException {
		this.out.close();
	}

}
