package dev.gserver.sample;

import java.util.Locale;

/**
 * The commands the sample serves, found from a command name's bytes as Redis does (any case),
 * without building a string per request.
 */
enum Command {

	PING, ECHO, GET, SET, DEL, EXISTS, INCR, DBSIZE, FLUSHALL, CLIENT, QUIT;

	private static final Command[] ALL = values();

	/** The name in Redis's error texts: {@code ERR wrong number of arguments for 'get' command}. */
	private final String lowerCase = name().toLowerCase(Locale.ROOT);

	String lowerCase() {
		return this.lowerCase;
	}

	/** Returns the command named by {@code name} in any case, or {@code null} for one the sample does not serve. */
	static Command of(byte[] name) {
		for (Command command : ALL) {
			if (command.isNamed(name)) {
				return command;
			}
		}
		return null;
	}

	private boolean isNamed(byte[] name) {
		String expected = name();
		if (name.length != expected.length()) {
			return false;
		}
		for (int i = 0; i < name.length; i++) {
			// ASCII letters only: clearing bit 5 upper-cases a lower-case letter and leaves an upper-case one
			if ((name[i] & ~0x20) != expected.charAt(i)) {
				return false;
			}
		}
		return true;
	}

}
