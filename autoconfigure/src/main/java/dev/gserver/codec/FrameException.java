package dev.gserver.codec;

import java.util.Locale;

import org.jspecify.annotations.Nullable;

import dev.gserver.ProtocolException;

/**
 * A client sent a frame that cannot be taken: too long, malformed, stalled half-way or cut off.
 * Its {@link #getReason() reason} is one of a few fixed values, so that it can tag a metric
 * ({@code gserver.frames.rejected}); the message says what was wrong without quoting the client
 * at length. After one, the connection's framing is lost: answer if the protocol wants to, then
 * close.
 */
public class FrameException extends ProtocolException {

	private static final long serialVersionUID = 1L;

	/** Why a frame was refused. */
	public enum Reason {

		/** Longer than the reader's limit; refused the moment the limit was passed. */
		TOO_LONG,

		/** Breaks the framing: a bad terminator, length field or encoding. */
		MALFORMED,

		/** Begun but not completed within the frame timeout. */
		STALLED,

		/** The stream ended in the middle of a frame. */
		TRUNCATED,

		/**
		 * The server's input budget was spent while this client held more than its share of it
		 * ({@link dev.gserver.InputBudget}), or stayed spent until the frame's deadline.
		 */
		OVER_BUDGET;

		/**
		 * Returns the reason as a metric tag: {@code too-long}, {@code malformed}, {@code stalled},
		 * {@code truncated}, {@code over-budget}.
		 */
		public String tag() {
			return name().toLowerCase(Locale.ROOT).replace('_', '-');
		}

	}

	private final Reason reason;

	public FrameException(Reason reason, String message) {
		super(message);
		this.reason = reason;
	}

	public FrameException(Reason reason, String message, @Nullable Throwable cause) {
		super(message, cause);
		this.reason = reason;
	}

	public Reason getReason() {
		return this.reason;
	}

}
