package dev.gserver;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLHandshakeException;

import org.jspecify.annotations.Nullable;

/**
 * A client's input as its handler reads it: bytes counted, and each read bounded by the read
 * timeout (the idle timeout unless the handler changed it) or, when shorter, by the read
 * deadline a codec set for a frame.
 * <p>
 * A read timeout closes the connection as idle, but only when the connection made no progress
 * either way for that long: a handler that writes from another thread while this one waits
 * (a chat room's listener) is not idle while its writes go out. A deadline leaves the connection
 * open for the handler to answer.
 */
final class ClientInput extends FilterInputStream {

	private final SocketConnection connection;

	/** The socket whose SO_TIMEOUT bounds reads; {@code null} for a Unix socket, which has none. */
	private final @Nullable Socket timeoutSocket;

	/** The SO_TIMEOUT set last, so that it is set again only when it changes; -1 until the first read sets it. */
	private int appliedTimeout = -1;

	/** Where {@link #read()} reads its byte; the stream is its handler's alone. */
	private final byte[] one = new byte[1];

	ClientInput(InputStream in, SocketConnection connection, @Nullable Socket timeoutSocket) {
		super(in);
		this.connection = connection;
		this.timeoutSocket = timeoutSocket;
	}

	@Override
	public int read() throws IOException {
		// one array per stream, not per byte: a handler reading byte by byte allocates nothing
		byte[] one = this.one;
		return (read(one, 0, 1) < 0) ? -1 : (one[0] & 0xff);
	}

	@Override
	public int read(byte[] buffer, int offset, int length) throws IOException {
		// no TLS on a Unix socket: its reads need neither a timeout nor the renegotiation check
		if (this.timeoutSocket == null) {
			return counted(this.in.read(buffer, offset, length));
		}
		// how long this attempt may wait for the idle timeout: all of it at first
		int idleLeft = this.connection.readTimeoutMillis();
		// the client owes nothing from before this read: the idle wait starts now at the earliest
		long began = (idleLeft > 0) ? System.nanoTime() : 0;
		for (;;) {
			int timeout = idleLeft;
			boolean bounded = false;
			long deadline = this.connection.readDeadline();
			if (deadline != 0) {
				long left = ceilMillis(deadline - System.nanoTime());
				if (left <= 0) {
					throw new SocketTimeoutException("Read deadline passed");
				}
				if (timeout == 0 || left < timeout) {
					timeout = (int) Math.min(Integer.MAX_VALUE, left);
					bounded = true;
				}
			}
			if (timeout != this.appliedTimeout) {
				this.timeoutSocket.setSoTimeout(timeout);
				this.appliedTimeout = timeout;
			}
			// one frame for the whole read: a handler parked here keeps its stack, idle connections' memory
			try {
				return counted(this.in.read(buffer, offset, length));
			}
			catch (SSLHandshakeException ex) {
				// a handshake after the first one on a secured connection: the client asked to renegotiate
				this.connection.renegotiationRefused(ex);
				throw ex;
			}
			catch (SocketTimeoutException ex) {
				if (bounded) {
					throw ex;
				}
				int idleMillis = this.connection.readTimeoutMillis();
				long left = TimeUnit.MILLISECONDS.toNanos(idleMillis) - (System.nanoTime() - lastProgress(began));
				if (idleMillis == 0 || left > 0) {
					// bytes went out meanwhile (or the timeout was lifted): not idle, wait on from then
					idleLeft = (idleMillis == 0) ? 0 : (int) Math.max(1, Math.min(idleMillis, ceilMillis(left)));
					continue;
				}
				this.connection.timedOut(ServerEventListener.TIMED_OUT_IDLE);
				throw ex;
			}
		}
	}

	/** When the connection last moved: this read's start, or a later write's progress. */
	private long lastProgress(long began) {
		long wrote = this.connection.lastWriteProgress();
		return (wrote - began > 0) ? wrote : began;
	}

	private int counted(int n) {
		if (n > 0) {
			this.connection.received(n);
		}
		return n;
	}

	/** Rounded up, so that a read timing out has reached the deadline. */
	private static long ceilMillis(long nanos) {
		return TimeUnit.NANOSECONDS.toMillis(nanos + 999_999);
	}

}
