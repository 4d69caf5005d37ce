package dev.gserver.codec;

/** Where a line ends. */
public enum LineEnding {

	/**
	 * Only at CR LF; a CR or LF anywhere else in the line is malformed, so that two parsers can
	 * never disagree on where a line ends (the root of SMTP smuggling).
	 */
	CRLF,

	/** At LF; a CR is an ordinary byte of the line. */
	LF,

	/** At LF, with a CR just before it dropped: what most text clients send, CR LF or LF. */
	ANY

}
