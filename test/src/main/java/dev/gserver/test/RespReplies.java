package dev.gserver.test;

import java.io.EOFException;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.jspecify.annotations.Nullable;

import dev.gserver.codec.FrameReader;

/**
 * Reads one RESP reply, RESP2 or RESP3, into plain Java values, over the core's
 * {@link FrameReader}: the core's {@code RespReader} reads what a client sends (commands), not
 * what a server answers. A test's reader: it trusts the server's lengths within the reader's
 * bounds, and reads text as UTF-8.
 */
final class RespReplies {

	private RespReplies() {
	}

	/**
	 * Reads a reply: a String for a simple string, bulk string or verbatim string, a
	 * {@link RespError} for an error, a Long for an integer, {@code null} for a null, a List for an
	 * array or push, a Set, a Map, a Boolean, a Double, a BigInteger.
	 * @throws EOFException when the stream ends before the reply
	 */
	static @Nullable Object read(FrameReader reader) throws IOException {
		String header = reader.readLine();
		if (header == null) {
			throw new EOFException();
		}
		if (header.isEmpty()) {
			throw new IOException("Not a RESP reply: an empty line");
		}
		String value = header.substring(1);
		switch (header.charAt(0)) {
			case '+':
				return value;
			case '-':
				return new RespError(value);
			case ':':
				return Long.parseLong(value);
			case '$':
				return bulk(reader, Integer.parseInt(value));
			case '*':
			case '>':
				return aggregate(reader, Integer.parseInt(value), new ArrayList<>());
			case '~':
				return aggregate(reader, Integer.parseInt(value), new LinkedHashSet<>());
			case '%':
				return map(reader, Integer.parseInt(value));
			case '|':
				// attributes describe the reply after them: skipped
				map(reader, Integer.parseInt(value));
				return read(reader);
			case '_':
				return null;
			case '#':
				return "t".equals(value);
			case ',':
				return switch (value) {
					case "inf" -> Double.POSITIVE_INFINITY;
					case "-inf" -> Double.NEGATIVE_INFINITY;
					case "nan" -> Double.NaN;
					default -> Double.parseDouble(value);
				};
			case '(':
				return new BigInteger(value);
			case '!':
				return new RespError(notNullBulk(reader, Integer.parseInt(value)));
			case '=':
				// "txt:" or "mkd:" before the text
				String verbatim = notNullBulk(reader, Integer.parseInt(value));
				return (verbatim.length() >= 4) ? verbatim.substring(4) : verbatim;
			default:
				throw new IOException("Not a RESP reply: " + Texts.quote(header));
		}
	}

	/** A blob error's or a verbatim string's text: RESP3 has no null one. */
	private static String notNullBulk(FrameReader reader, int length) throws IOException {
		String text = bulk(reader, length);
		if (text == null) {
			throw new IOException("Not a RESP reply: a null blob error or verbatim string");
		}
		return text;
	}

	private static @Nullable String bulk(FrameReader reader, int length) throws IOException {
		if (length < 0) {
			return null;
		}
		byte[] bytes = reader.readExactly(length);
		byte[] end = reader.readExactly(2);
		if (end[0] != '\r' || end[1] != '\n') {
			throw new IOException("A bulk string of " + length + " bytes is not followed by CR LF");
		}
		return new String(bytes, StandardCharsets.UTF_8);
	}

	private static @Nullable Object aggregate(FrameReader reader, int count, Collection<Object> elements)
			throws IOException {
		if (count < 0) {
			return null;
		}
		for (int i = 0; i < count; i++) {
			elements.add(read(reader));
		}
		return elements;
	}

	private static @Nullable Map<Object, Object> map(FrameReader reader, int pairs) throws IOException {
		if (pairs < 0) {
			return null;
		}
		Map<Object, Object> map = new LinkedHashMap<>();
		for (int i = 0; i < pairs; i++) {
			map.put(read(reader), read(reader));
		}
		return map;
	}

	/**
	 * Returns {@code expected} with its small integers as Longs, as replies hold them, so that
	 * {@code expectReply(1)} matches {@code :1}.
	 */
	static @Nullable Object normalize(@Nullable Object expected) {
		if (expected instanceof Integer || expected instanceof Short || expected instanceof Byte) {
			return ((Number) expected).longValue();
		}
		if (expected instanceof List<?> list) {
			List<Object> normalized = new ArrayList<>(list.size());
			list.forEach((element) -> normalized.add(normalize(element)));
			return normalized;
		}
		if (expected instanceof Set<?> set) {
			Set<Object> normalized = new LinkedHashSet<>();
			set.forEach((element) -> normalized.add(normalize(element)));
			return normalized;
		}
		if (expected instanceof Map<?, ?> map) {
			Map<Object, Object> normalized = new LinkedHashMap<>();
			map.forEach((key, value) -> normalized.put(normalize(key), normalize(value)));
			return normalized;
		}
		return expected;
	}

	/** Returns a reply as a message shows it: strings quoted, so that "1" and 1 differ. */
	static String render(@Nullable Object reply) {
		if (reply instanceof String text) {
			return Texts.quote(text);
		}
		if (reply instanceof List<?> list) {
			return list.stream().map(RespReplies::render).toList().toString();
		}
		return String.valueOf(reply);
	}

}
