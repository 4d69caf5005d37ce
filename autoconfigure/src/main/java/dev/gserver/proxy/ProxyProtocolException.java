package dev.gserver.proxy;

import java.io.IOException;

/**
 * A connection began with a PROXY protocol header that cannot be accepted. Its {@link #getReason()
 * reason} is one of a few fixed words, so that it can tag a metric; the message says what was
 * wrong, quoting at most a few of the peer's bytes.
 * @see ProxyHeader#read(java.io.InputStream)
 */
public class ProxyProtocolException extends IOException {

	/** The header breaks the specification's syntax. */
	public static final String MALFORMED = "malformed";

	/** The header is longer than the specification (v1) or gserver (v2) allows. */
	public static final String OVERSIZED = "oversized";

	/** A well-formed v2 header for an address family or transport that gserver does not handle. */
	public static final String UNSUPPORTED = "unsupported";

	/** A header was required and the connection starts with something else. */
	public static final String MISSING = "missing";

	/** A header was required from a source that is not a trusted proxy. */
	public static final String UNTRUSTED = "untrusted";

	/** The client did not send its header in time. */
	public static final String TIMEOUT = "timeout";

	/** The client closed the connection in the middle of its header. */
	public static final String CLOSED = "closed";

	private static final long serialVersionUID = 1L;

	/** How many of the peer's bytes a message may quote: enough to recognise, too few to abuse a log. */
	private static final int MAX_QUOTED = 16;

	private final String reason;

	ProxyProtocolException(String reason, String message) {
		super(message);
		this.reason = reason;
	}

	/** Returns one of this class's reasons: {@link #MALFORMED}, {@link #MISSING}, {@link #TIMEOUT}, .... */
	public String getReason() {
		return this.reason;
	}

	/**
	 * Quotes the start of a peer's text for a message: printable ASCII as is, anything else as
	 * {@code \xNN}, and no more than a few characters, so that a log line cannot be forged.
	 */
	static String quote(CharSequence text) {
		StringBuilder quoted = new StringBuilder("'");
		int end = Math.min(text.length(), MAX_QUOTED);
		for (int i = 0; i < end; i++) {
			char c = text.charAt(i);
			if (c >= 0x20 && c < 0x7f && c != '\\' && c != '\'') {
				quoted.append(c);
			}
			else {
				quoted.append("\\x").append(hex(c & 0xff));
			}
		}
		quoted.append('\'');
		if (text.length() > MAX_QUOTED) {
			quoted.append("...");
		}
		return quoted.toString();
	}

	/** Two lower-case hex digits. */
	static String hex(int b) {
		return (b < 0x10) ? "0" + Integer.toHexString(b) : Integer.toHexString(b);
	}

}
