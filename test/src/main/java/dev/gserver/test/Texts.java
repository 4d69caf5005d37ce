package dev.gserver.test;

import java.time.Duration;

/** How the test support's messages show values: quoted text, bytes, durations. */
final class Texts {

	/** Characters or bytes shown in a message at most; the rest is counted. */
	private static final int SHOWN = 200;

	private Texts() {
	}

	/** Returns {@code text} in double quotes, its control characters escaped, so that "a\r" and "a" differ. */
	static String quote(String text) {
		StringBuilder quoted = new StringBuilder(text.length() + 2).append('"');
		for (int i = 0; i < text.length() && i < SHOWN; i++) {
			append(quoted, text.charAt(i), false);
		}
		quoted.append('"');
		if (text.length() > SHOWN) {
			quoted.append(" (").append(text.length()).append(" characters in all)");
		}
		return quoted.toString();
	}

	/** Returns {@code bytes} quoted as ASCII, any other byte in hex: a message is no place to guess a charset. */
	static String quote(byte[] bytes) {
		StringBuilder quoted = new StringBuilder(bytes.length + 16).append('"');
		for (int i = 0; i < bytes.length && i < SHOWN; i++) {
			append(quoted, (char) (bytes[i] & 0xff), true);
		}
		return quoted.append("\" (").append(bytes.length).append(" bytes)").toString();
	}

	private static void append(StringBuilder quoted, char c, boolean asciiOnly) {
		switch (c) {
			case '"' -> quoted.append("\\\"");
			case '\\' -> quoted.append("\\\\");
			case '\r' -> quoted.append("\\r");
			case '\n' -> quoted.append("\\n");
			case '\t' -> quoted.append("\\t");
			default -> {
				if (c < 0x20 || c == 0x7f || (asciiOnly && c > 0x7f)) {
					quoted.append(String.format("\\x%02x", (int) c));
				}
				else {
					quoted.append(c);
				}
			}
		}
	}

	/** Returns {@code duration} as a person writes it: {@code 5s}, {@code 250ms}, {@code 1.5s}. */
	static String format(Duration duration) {
		long millis = duration.toMillis();
		if (millis < 1000) {
			return millis + "ms";
		}
		return (millis % 1000 == 0) ? (millis / 1000) + "s" : (millis / 1000.0) + "s";
	}

}
