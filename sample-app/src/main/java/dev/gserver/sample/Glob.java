package dev.gserver.sample;

/**
 * Glob-style matching as Redis's {@code stringmatchlen} (util.c) does it, for KEYS, SCAN MATCH
 * and CONFIG GET: {@code *}, {@code ?}, {@code [abc]}, {@code [^a]}, {@code [a-z]} (either
 * order) and {@code \} escapes, byte by byte. Its quirks are kept on purpose, so that a pattern
 * matches here what it matches in Redis: an unclosed {@code [} ends the pattern, a trailing
 * {@code \} matches itself, and bytes compare as C's signed {@code char} in ranges.
 */
final class Glob {

	/**
	 * How deep {@code *} may nest before the match fails: Redis 7.2 has the same bound, against a
	 * stack overflow from a pattern of thousands of stars.
	 */
	private static final int MAX_NESTING = 1000;

	private Glob() {
	}

	static boolean matches(byte[] pattern, byte[] string) {
		return matches(pattern, string, false);
	}

	/** @param noCase whether ASCII letters match either case, as CONFIG GET's patterns do */
	static boolean matches(byte[] pattern, byte[] string, boolean noCase) {
		return match(pattern, 0, string, 0, noCase, new boolean[1], 0);
	}

	/** Whether a pattern is just {@code *}, so that matching can be skipped, as Redis's SCAN does. */
	static boolean matchesEverything(byte[] pattern) {
		return pattern.length == 1 && pattern[0] == '*';
	}

	/**
	 * The C function, with indexes for pointers. {@code skipLonger} is Redis's
	 * {@code skipLongerMatches}: once the rest of a pattern failed from every later position, an
	 * earlier star need not try longer matches (CVE-2022-36021).
	 */
	private static boolean match(byte[] pattern, int p, byte[] string, int s, boolean noCase, boolean[] skipLonger,
			int nesting) {
		if (nesting > MAX_NESTING) {
			return false;
		}
		while (p < pattern.length && s < string.length) {
			switch (pattern[p]) {
				case '*':
					while (p + 1 < pattern.length && pattern[p + 1] == '*') {
						p++;
					}
					if (p + 1 == pattern.length) {
						return true;
					}
					while (s < string.length) {
						if (match(pattern, p + 1, string, s, noCase, skipLonger, nesting + 1)) {
							return true;
						}
						if (skipLonger[0]) {
							return false;
						}
						s++;
					}
					skipLonger[0] = true;
					return false;
				case '?':
					s++;
					break;
				case '[': {
					p++;
					boolean not = p < pattern.length && pattern[p] == '^';
					if (not) {
						p++;
					}
					boolean match = false;
					while (true) {
						int remaining = pattern.length - p;
						if (remaining >= 2 && pattern[p] == '\\') {
							p++;
							if (same(pattern[p], string[s], noCase)) {
								match = true;
							}
						}
						else if (remaining > 0 && pattern[p] == ']') {
							break;
						}
						else if (remaining == 0) {
							// no closing bracket: C steps back so that the step below ends the pattern
							p--;
							break;
						}
						else if (remaining >= 3 && pattern[p + 1] == '-') {
							int start = pattern[p];
							int end = pattern[p + 2];
							int c = string[s];
							if (start > end) {
								int swap = start;
								start = end;
								end = swap;
							}
							if (noCase) {
								start = lower(start);
								end = lower(end);
								c = lower(c);
							}
							p += 2;
							if (c >= start && c <= end) {
								match = true;
							}
						}
						else if (same(pattern[p], string[s], noCase)) {
							match = true;
						}
						p++;
					}
					if (not) {
						match = !match;
					}
					if (!match) {
						return false;
					}
					s++;
					break;
				}
				case '\\':
					if (pattern.length - p >= 2) {
						p++;
					}
					// fall through: the escaped byte matches itself
				default:
					if (!same(pattern[p], string[s], noCase)) {
						return false;
					}
					s++;
					break;
			}
			p++;
			if (s == string.length) {
				while (p < pattern.length && pattern[p] == '*') {
					p++;
				}
				break;
			}
		}
		return p == pattern.length && s == string.length;
	}

	private static boolean same(byte a, byte b, boolean noCase) {
		return a == b || (noCase && lower(a) == lower(b));
	}

	/** C's {@code tolower} in the C locale: ASCII letters only. */
	private static int lower(int c) {
		return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
	}

}
