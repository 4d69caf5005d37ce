package dev.gserver.sample;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.jspecify.annotations.Nullable;

/**
 * The commands the sample serves, with their arity as Redis 7's command table gives it (a
 * negative arity is a minimum: -2 is "at least 2", the name included), found from a command
 * name's bytes as Redis does (any case), without building a string per request.
 */
enum Command {

	PING(-1), ECHO(2), GET(2), SET(-3), DEL(-2), EXISTS(-2), INCR(2), INCRBY(3), DECR(2), DECRBY(3), MGET(-2),
	MSET(-3), SETNX(3), APPEND(3), STRLEN(2), EXPIRE(-3), PEXPIRE(-3), TTL(2), PTTL(2), PERSIST(2), TYPE(2), KEYS(2),
	SCAN(-2), SELECT(2), DBSIZE(1), FLUSHDB(-1), FLUSHALL(-1), INFO(-1), CONFIG(-2), COMMAND(-1), HELLO(-1),
	CLIENT(-2), QUIT(-1);

	/** The commands by name length, so that a lookup compares a few names only. */
	private static final Command[][] BY_LENGTH = byLength();

	/** The name in Redis's error texts: {@code ERR wrong number of arguments for 'get' command}. */
	private final String lowerCase = name().toLowerCase(Locale.ROOT);

	private final int arity;

	Command(int arity) {
		this.arity = arity;
	}

	String lowerCase() {
		return this.lowerCase;
	}

	int arity() {
		return this.arity;
	}

	/** Whether {@code count} arguments, the name included, fit the arity, as Redis checks it before running a command. */
	boolean acceptsArgumentCount(int count) {
		return (this.arity > 0) ? count == this.arity : count >= -this.arity;
	}

	/** Returns the command named by {@code name} in any case, or {@code null} for one the sample does not serve. */
	static @Nullable Command of(byte[] name) {
		if (name.length >= BY_LENGTH.length) {
			return null;
		}
		for (Command command : BY_LENGTH[name.length]) {
			if (command.isNamed(name)) {
				return command;
			}
		}
		return null;
	}

	private boolean isNamed(byte[] name) {
		String expected = name();
		for (int i = 0; i < name.length; i++) {
			// ASCII letters only: clearing bit 5 upper-cases a lower-case letter and leaves an upper-case one
			if ((name[i] & ~0x20) != expected.charAt(i)) {
				return false;
			}
		}
		return true;
	}

	private static Command[][] byLength() {
		int longest = 0;
		for (Command command : values()) {
			longest = Math.max(longest, command.name().length());
		}
		List<List<Command>> lists = new ArrayList<>();
		for (int i = 0; i <= longest; i++) {
			lists.add(new ArrayList<>());
		}
		for (Command command : values()) {
			lists.get(command.name().length()).add(command);
		}
		return lists.stream().map((list) -> list.toArray(Command[]::new)).toArray(Command[][]::new);
	}

}
