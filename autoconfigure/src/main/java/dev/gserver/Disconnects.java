package dev.gserver;

import java.io.IOException;
import java.util.Locale;

import org.jspecify.annotations.Nullable;

/**
 * Tells a client that went away from a handler that failed. A disconnect is an
 * {@link IOException} anywhere in the cause chain (so also one a handler wrapped, or the socket
 * exception under an {@code SSLException}) whose message is the operating system's word for a
 * connection the peer ended: {@code Connection reset} (a reset read, Linux's and the JDK's
 * wording), {@code Connection reset by peer} (a reset write), {@code Broken pipe} (a write after
 * the peer closed), and Windows' {@code forcibly closed by the remote host} and
 * {@code connection was aborted}. Not one: an {@code EOFException} or a codec's truncated frame
 * (a client that stopped mid-message sent bad input: a {@link ProtocolException}), and a
 * {@code ClosedChannelException} (this side closed the channel, not the client). The JDK has no
 * exception type for these, so the message decides, as Spring's {@code DisconnectedClientHelper}
 * and Reactor Netty do.
 */
final class Disconnects {

	private static final String[] MESSAGES = { "connection reset", "broken pipe", "forcibly closed by the remote host",
			"connection was aborted" };

	/** How far down the cause chain to look: wrappers are few, and a cycle must not loop. */
	private static final int MAX_DEPTH = 8;

	private Disconnects() {
	}

	static boolean isDisconnect(Throwable error) {
		Throwable cause = error;
		for (int depth = 0; cause != null && depth < MAX_DEPTH; depth++) {
			if (cause instanceof IOException && saysDisconnected(cause.getMessage())) {
				return true;
			}
			cause = cause.getCause();
		}
		return false;
	}

	private static boolean saysDisconnected(@Nullable String message) {
		if (message == null) {
			return false;
		}
		String lower = message.toLowerCase(Locale.ROOT);
		for (String each : MESSAGES) {
			if (lower.contains(each)) {
				return true;
			}
		}
		return false;
	}

}
