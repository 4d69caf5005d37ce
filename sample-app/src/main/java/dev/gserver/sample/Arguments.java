package dev.gserver.sample;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

import org.jspecify.annotations.Nullable;

import dev.gserver.codec.RespWriter;

/** Reading a command's arguments, and the error replies Redis 7 gives for bad ones, word for word. */
final class Arguments {

	static final String NOT_AN_INTEGER = "ERR value is not an integer or out of range";

	static final String SYNTAX_ERROR = "ERR syntax error";

	private Arguments() {
	}

	/** The argument as text, each byte one character, as Redis's error messages print it. */
	static String text(byte[] argument) {
		return new String(argument, StandardCharsets.ISO_8859_1);
	}

	/** Whether the argument is {@code word} in any case, as Redis's {@code strcasecmp}. */
	static boolean is(byte[] argument, String word) {
		return text(argument).equalsIgnoreCase(word);
	}

	static String lowerCase(byte[] argument) {
		return text(argument).toLowerCase(Locale.ROOT);
	}

	/**
	 * The argument as Redis's {@code getLongLongFromObjectOrReply} reads it, or {@code null} after
	 * answering {@link #NOT_AN_INTEGER}.
	 */
	static @Nullable Long integer(byte[] argument, RespWriter writer) throws IOException {
		try {
			return KeyValueStore.parseInteger(argument);
		}
		catch (NumberFormatException ex) {
			writer.error(NOT_AN_INTEGER);
			return null;
		}
	}

	static void wrongArity(RespWriter writer, String name) throws IOException {
		writer.error("ERR wrong number of arguments for '" + name + "' command");
	}

	/** {@code ERR unknown subcommand 'X'. Try CONFIG HELP.} */
	static void unknownSubcommand(RespWriter writer, List<byte[]> command) throws IOException {
		writer.error("ERR unknown subcommand '" + printable(command.get(1)) + "'. Try "
				+ text(command.get(0)).toUpperCase(Locale.ROOT) + " HELP.");
	}

	/** At most 128 bytes of an argument, line breaks as spaces: how Redis quotes one in an error. */
	static String printable(byte[] bytes) {
		String text = new String(bytes, 0, Math.min(bytes.length, 128), StandardCharsets.ISO_8859_1);
		return text.replaceAll("[\\r\\n]", " ");
	}

}
