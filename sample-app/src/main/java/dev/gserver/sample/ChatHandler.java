package dev.gserver.sample;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;

import dev.gserver.Connection;
import dev.gserver.ConnectionGroup;
import dev.gserver.Handler;
import dev.gserver.codec.FrameException;
import dev.gserver.codec.FrameException.Reason;
import dev.gserver.codec.FrameReader;
import dev.gserver.codec.FrameWriter;
import dev.gserver.codec.LineEnding;

/**
 * A line-based chat room: each line a client sends is delivered to every other client connected
 * now as {@code <client-id>: <line>} and a LF.
 * <p>
 * The client id is a number the room gives each connection as it comes, 1, 2, 3...: short, and
 * unique for the room's life. Not the client's address, which would tell everyone where each
 * client connects from, and which several clients behind one NAT share.
 * <p>
 * A line is UTF-8 of at most {@code maxLineLength} bytes, its end (LF or CR LF) excluded. A longer
 * one is answered {@code ERR line too long} and the connection is closed: after it, where the next
 * line starts is lost. A line that is not UTF-8 closes the connection without an answer.
 * <p>
 * Reads with the core's {@link FrameReader}, and sends through a {@link ConnectionGroup}: each
 * client has a bounded queue and a writer thread of its own, so that a client that never reads is
 * cut once its queue is full (or its socket write times out), and costs the others nothing.
 * Thread-safe: one handler serves every client of the room.
 */
public class ChatHandler implements Handler, AutoCloseable {

	/** The longest line by default, in bytes. */
	public static final int DEFAULT_MAX_LINE_LENGTH = 1024;

	private static final String TOO_LONG = "ERR line too long";

	private final ConnectionGroup room;

	private final int maxLineLength;

	private final AtomicLong ids = new AtomicLong();

	/** A room whose lines are at most {@code maxLineLength} bytes, with the group's default queue bound per client (1 MiB). */
	public ChatHandler(int maxLineLength) {
		this(maxLineLength, ConnectionGroup.DEFAULT_MAX_QUEUED_BYTES);
	}

	/**
	 * A room whose lines are at most {@code maxLineLength} bytes, and whose clients may each have
	 * up to {@code maxQueuedBytesPerClient} bytes of lines not yet written to them before they are
	 * cut.
	 * @throws IllegalArgumentException when a line cannot be positive, or cannot fit in a queue
	 */
	public ChatHandler(int maxLineLength, long maxQueuedBytesPerClient) {
		if (maxLineLength < 1) {
			throw new IllegalArgumentException("maxLineLength must be positive, got " + maxLineLength);
		}
		// the longest message: the longest id, ": ", the line, LF
		long longest = Long.toString(Long.MAX_VALUE).length() + 2 + (long) maxLineLength + 1;
		if (longest + ConnectionGroup.MESSAGE_OVERHEAD > maxQueuedBytesPerClient) {
			throw new IllegalArgumentException("maxQueuedBytesPerClient (" + maxQueuedBytesPerClient
					+ ") must hold a line of maxLineLength (" + maxLineLength + ") with its client id");
		}
		this.maxLineLength = maxLineLength;
		this.room = new ConnectionGroup("chat", maxQueuedBytesPerClient);
	}

	@Override
	public void handle(Connection connection) throws IOException {
		FrameReader in = FrameReader.of(connection).maxLineLength(this.maxLineLength);
		FrameWriter out = FrameWriter.of(connection).lineEnding(LineEnding.LF);
		byte[] prefix = (this.ids.incrementAndGet() + ": ").getBytes(StandardCharsets.US_ASCII);
		ConnectionGroup.Member me = this.room.join(connection);
		try {
			for (String line; (line = in.readLine()) != null;) {
				this.room.broadcast(message(prefix, line), me);
			}
		}
		catch (FrameException ex) {
			if (ex.getReason() != Reason.TOO_LONG) {
				throw ex;
			}
			// once left, nothing of the room's is being written: the answer cannot land inside a line
			me.close();
			out.writeLine(TOO_LONG).flush();
		}
		finally {
			me.close();
		}
	}

	/** The line as the others get it: the sender's id, the line re-encoded (it was valid UTF-8), LF. */
	private static byte[] message(byte[] prefix, String line) {
		byte[] text = line.getBytes(StandardCharsets.UTF_8);
		byte[] message = new byte[prefix.length + text.length + 1];
		System.arraycopy(prefix, 0, message, 0, prefix.length);
		System.arraycopy(text, 0, message, prefix.length, text.length);
		message[message.length - 1] = '\n';
		return message;
	}

	/** Returns how many clients are in the room now. */
	public int clients() {
		return this.room.size();
	}

	/** Returns how many clients were cut for not reading what the room sent them. */
	public long slowClientsCut() {
		return this.room.disconnectedSlowMembers();
	}

	public int getMaxLineLength() {
		return this.maxLineLength;
	}

	/** Closes the room: the clients' writer threads end; their connections are their handlers'. */
	@Override
	public void close() {
		this.room.close();
	}

}
