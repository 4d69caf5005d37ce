package dev.gserver.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Redis's glob, case by case. Every expected result here was asked from redis-server 7.0 with
 * {@code KEYS pattern} on a database holding only the string, so that a difference from Redis,
 * quirks included (an unclosed bracket, a trailing backslash, signed bytes in ranges), fails.
 */
class GlobTest {

	static Stream<Arguments> redisAnswers() {
		return Stream.of(
			arguments("*", "anything", true),
			arguments("*", "", true),
			arguments("", "", true),
			arguments("", "a", false),
			arguments("a", "", false),
			arguments("?", "", false),
			arguments("?", "a", true),
			arguments("?", "ab", false),
			arguments("??", "ab", true),
			arguments("h?llo", "hello", true),
			arguments("h?llo", "hallo", true),
			arguments("h?llo", "hllo", false),
			arguments("h*llo", "hllo", true),
			arguments("h*llo", "heeeello", true),
			arguments("h[ae]llo", "hello", true),
			arguments("h[ae]llo", "hillo", false),
			arguments("h[^e]llo", "hallo", true),
			arguments("h[^e]llo", "hello", false),
			arguments("h[a-b]llo", "hbllo", true),
			arguments("h[a-b]llo", "hcllo", false),
			arguments("h[b-a]llo", "hallo", true),
			arguments("[a-]", "-", false),
			arguments("[a-]", "a", true),
			arguments("[]", "]", false),
			arguments("[]]", "]", false),
			arguments("[^]", "a", true),
			arguments("[", "[", false),
			arguments("[abc", "a", true),
			arguments("[abc", "abc", false),
			arguments("a[", "a", false),
			arguments("\\*", "*", true),
			arguments("\\*", "a", false),
			arguments("\\?", "?", true),
			arguments("a\\", "a\\", true),
			arguments("a\\", "a", false),
			arguments("[\\]]", "]", true),
			arguments("[\\-]", "-", true),
			arguments("[a\\-z]", "b", false),
			arguments("*a", "ba", true),
			arguments("*a", "ab", false),
			arguments("a*", "a", true),
			arguments("a*b*c", "aXXbYYc", true),
			arguments("a*b*c", "aXXbYY", false),
			arguments("**", "x", true),
			arguments("a**", "a", true),
			arguments("*?", "", false),
			arguments("*?*", "x", true),
			arguments("*[0-9]", "key9", true),
			arguments("key:*", "key:1", true),
			arguments("key:*", "KEY:1", false),
			arguments("user:[0-9][0-9]", "user:42", true),
			arguments("user:[0-9][0-9]", "user:4", false),
			arguments("*.*.*", "a.b.c", true),
			arguments("*.*.*", "a.b", false),
			arguments("a*a*a*a*a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false),
			arguments("[^a-c]x", "dx", true),
			arguments("[^a-c]x", "bx", false),
			arguments("[!a]", "!", true),
			arguments("[a^]", "^", true),
			arguments("*\\", "x\\", true));
	}

	@ParameterizedTest(name = "[{index}] ''{0}'' ~ ''{1}'' -> {2}")
	@MethodSource("redisAnswers")
	void matchesAsRedisDoes(String pattern, String string, boolean expected) {
		// KEYS and SCAN skip matching for the pattern "*", so that it finds the empty key too, which
		// stringmatchlen itself does not match: the same shortcut here as in KeyCommands
		byte[] glob = bytes(pattern);
		assertThat(Glob.matchesEverything(glob) || Glob.matches(glob, bytes(string))).isEqualTo(expected);
	}

	@Test
	void theEmptyStringMatchesNoPatternButEmptyOne() {
		// stringmatchlen's loop never starts on an empty string: only an empty pattern is left over
		assertThat(Glob.matches(bytes("*"), bytes(""))).isFalse();
		assertThat(Glob.matches(bytes(""), bytes(""))).isTrue();
	}

	@Test
	void bytesCompareAsCsSignedCharInRanges() {
		// redis-server: KEYS "[a-\xff]" finds "A" (0xff is -1, so the range is -1..'a') but not "\xfe" or "\x80"
		byte[] range = { '[', 'a', '-', (byte) 0xff, ']' };
		assertThat(Glob.matches(range, new byte[] { 'A' })).isTrue();
		assertThat(Glob.matches(range, new byte[] { (byte) 0xfe })).isFalse();
		assertThat(Glob.matches(range, new byte[] { (byte) 0x80 })).isFalse();
		byte[] high = { '[', (byte) 0x80, '-', (byte) 0xff, ']' };
		assertThat(Glob.matches(high, new byte[] { (byte) 0x90 })).isTrue();
		assertThat(Glob.matches(high, new byte[] { 'a' })).isFalse();
		// ? is one byte, not one character: é is two bytes in UTF-8
		assertThat(Glob.matches(bytes("?"), "\u00e9".getBytes(StandardCharsets.UTF_8))).isFalse();
		assertThat(Glob.matches(bytes("??"), "\u00e9".getBytes(StandardCharsets.UTF_8))).isTrue();
	}

	@Test
	void noCaseAsConfigGetMatches() {
		assertThat(Glob.matches(bytes("APPEND*"), bytes("appendonly"), true)).isTrue();
		assertThat(Glob.matches(bytes("[A-C]ave"), bytes("save"), true)).isFalse();
		assertThat(Glob.matches(bytes("[R-T]AVE"), bytes("save"), true)).isTrue();
		assertThat(Glob.matches(bytes("APPEND*"), bytes("appendonly"))).isFalse();
	}

	@Test
	void manyStarsFailFastInsteadOfBacktrackingForever() {
		// without Redis's skip of longer matches this backtracks exponentially: 30 stars on 200 bytes
		String pattern = "a*".repeat(30) + "b";
		byte[] string = bytes("a".repeat(200));
		long started = System.nanoTime();
		assertThat(Glob.matches(bytes(pattern), string)).isFalse();
		assertThat(System.nanoTime() - started).as("nanoseconds").isLessThan(2_000_000_000L);
		assertThat(Glob.matches(bytes(pattern.replace("b", "a")), string)).isTrue();
	}

	@Test
	void deepNestingFailsTheMatchRatherThanTheStack() {
		// 100,000 stars each followed by a byte: a recursion per star would overflow the stack
		String pattern = "*a".repeat(100_000);
		assertThat(Glob.matches(bytes(pattern), bytes("a".repeat(100_000)))).isFalse();
		// under the bound the same shape matches
		assertThat(Glob.matches(bytes("*a".repeat(500)), bytes("a".repeat(500)))).isTrue();
	}

	private static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.ISO_8859_1);
	}

}
