package dev.gserver.test;

import java.util.Objects;

/**
 * An error reply of a RESP server ({@code -ERR unknown command}), as
 * {@link GServerTestClient#readReply()} returns it: a value, so that
 * {@code expectReply(new RespError("ERR unknown command"))} can compare it.
 * @param message the text after the {@code -}, its code first
 */
public record RespError(String message) {

	public RespError {
		Objects.requireNonNull(message, "message");
	}

	/** Returns the error's code, the first word of its message: {@code ERR}, {@code WRONGTYPE}, ... */
	public String code() {
		int space = this.message.indexOf(' ');
		return (space < 0) ? this.message : this.message.substring(0, space);
	}

	/** Returns the reply as it was sent: {@code -} and the message. */
	@Override
	public String toString() {
		return "-" + this.message;
	}

}
