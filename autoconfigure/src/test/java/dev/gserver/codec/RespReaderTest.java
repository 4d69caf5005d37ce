package dev.gserver.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import org.assertj.core.api.ThrowableAssertAlternative;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.gserver.Connection;
import dev.gserver.codec.FrameException.Reason;

class RespReaderTest {

	@Test
	void readsPipelinedMultiBulkCommandsThenNullAtTheEnd() throws IOException {
		RespReader reader = reader("*2\r\n$3\r\nGET\r\n$1\r\nk\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$0\r\n\r\n");
		List<byte[]> first = reader.readCommand();
		assertThat(texts(first)).containsExactly("GET", "k");
		byte[] key = first.get(1);
		assertThat(reader.hasBuffered()).isTrue();
		List<byte[]> second = reader.readCommand();
		// the list is the reader's own, refilled; the arrays in it are not reused
		assertThat(second).isSameAs(first);
		assertThat(texts(second)).containsExactly("SET", "k", "");
		assertThat(new String(key, StandardCharsets.US_ASCII)).isEqualTo("k");
		assertThat(reader.hasBuffered()).isFalse();
		assertThat(reader.readCommand()).isNull();
	}

	@Test
	void emptyCommandsAreEmptyLists() throws IOException {
		RespReader reader = reader("\r\n*0\r\n*-1\r\n   \n");
		for (int i = 0; i < 4; i++) {
			assertThat(reader.readCommand()).isEmpty();
		}
		assertThat(reader.readCommand()).isNull();
	}

	@Test
	void inlineCommandsSplitAtWhitespace() throws IOException {
		assertThat(inline("SET k v\r\n")).containsExactly("SET", "k", "v");
		assertThat(inline("  echo\t spaced  \n")).containsExactly("echo", "spaced");
		// vertical tab and form feed separate arguments only between them, as in sdssplitargs
		assertThat(inline("\u000b\fa\u000bb c\r\n")).containsExactly("a\u000bb", "c");
		assertThat(inline("a\rb\r\n")).containsExactly("a", "b");
	}

	@ParameterizedTest
	@CsvSource(delimiter = '|', quoteCharacter = '`', value = {
			// input | its arguments joined with '~'
			"SET qk \"a b\" | SET~qk~a b", "\"\" '' | ~", "\"\\x41\\x4a\" | AJ", "\"\\x4g\" | x4g", "\"\\xZZ\" | xZZ",
			"\"\\n\\r\\t\\b\\a\\\\\\\"\\q\" | `\n\r\t\b\u0007\\\"q`", "'a\\nb' | a\\nb", "'it\\'s' | it's",
			"'a\"b' \"a'b\" | a\"b~a'b", "a\"b c\" d | ab c~d", "x'y z' | xy z", "\"a\" \"b\" | a~b", })
	void inlineQuotesAsRedisSplitsThem(String input, String expected) throws IOException {
		assertThat(String.join("~", inline(input + "\r\n"))).isEqualTo(expected);
	}

	/**
	 * 600 random lines of quotes, escapes and whitespace, each split as redis-server 7.0.15 split
	 * it (recorded in {@code redis-inline-splits.txt}, with how it was made).
	 */
	@Test
	void inlineLinesSplitAsRedisServerSplitThem() throws IOException {
		List<String> cases = new ArrayList<>();
		try (InputStream in = RespReaderTest.class.getResourceAsStream("redis-inline-splits.txt")) {
			for (String line : new String(in.readAllBytes(), StandardCharsets.US_ASCII).split("\n")) {
				if (!line.startsWith("#")) {
					cases.add(line);
				}
			}
		}
		assertThat(cases).hasSize(600);
		for (String entry : cases) {
			String[] fields = entry.split("\t", 2);
			byte[] line = HexFormat.of().parseHex(fields[0]);
			String got;
			try {
				List<byte[]> command = reader("RPUSH l " + new String(line, StandardCharsets.ISO_8859_1) + "\r\n")
					.readCommand();
				StringBuilder arguments = new StringBuilder("args:");
				for (byte[] argument : command.subList(2, command.size())) {
					arguments.append(HexFormat.of().formatHex(argument)).append(',');
				}
				// RPUSH with no element: Redis answers its arity error
				got = (command.size() < 3) ? "err:ERR wrong number of arguments for 'rpush' command" : arguments.toString();
			}
			catch (FrameException ex) {
				got = "err:ERR Protocol error: " + ex.getMessage();
			}
			assertThat(got).as(fields[0]).isEqualTo(fields[1]);
		}
	}

	/** Redis never finds the end of such a line (strchr stops at the NUL) and waits for 64 KiB: refused at once. */
	@ParameterizedTest
	@CsvSource(delimiter = '|', quoteCharacter = '`', value = { "GET k\\0", "\\0", "\"a\\0b\"", "'\\0'", "\"\\\\0\"", "\"a\"\\0" })
	void aNulInAnInlineCommandIsRefused(String input) {
		refusal(input.replace("\\0", "\0") + "\r\n", Reason.MALFORMED).withMessage("NUL byte in inline request");
	}

	@ParameterizedTest
	@CsvSource(delimiter = '|', quoteCharacter = '`', value = { "\"foo", "'foo", "\"foo\"bar", "'foo'bar", "\"a\\", "\"a\"\"b\"" })
	void unbalancedQuotesAreMalformed(String input) {
		refusal(input + "\r\n", Reason.MALFORMED).withMessage("unbalanced quotes in request");
	}

	@Test
	void aClosingQuoteMayBeFollowedByAnyWhitespaceOrTheEnd() throws IOException {
		assertThat(inline("\"a\"\tb\r\n")).containsExactly("a", "b");
		assertThat(inline("\"a\"\u000bb\n")).containsExactly("a", "b");
		assertThat(inline("'a'\n")).containsExactly("a");
	}

	@ParameterizedTest
	@CsvSource(delimiter = '|', quoteCharacter = '`', value = { "*x | MALFORMED | invalid multibulk length",
			"*01 | MALFORMED | invalid multibulk length", "*-0 | MALFORMED | invalid multibulk length",
			"*+1 | MALFORMED | invalid multibulk length", "*1\\r\\n$x | MALFORMED | invalid bulk length",
			"*1\\r\\n$-1 | MALFORMED | invalid bulk length", "*1\\r\\n$1\\rx | MALFORMED | invalid bulk length",
			"*1\\r\\n+PING | MALFORMED | expected '$', got '+'", "*1\\r\\n\\r | MALFORMED | expected '$', got ' '",
			"*1\\r\\n\\n | MALFORMED | expected '$', got ' '", "*1\\r\\n$4\\r\\nPINGxx | MALFORMED | expected CRLF after a bulk string",
			"*1\\r\\n$99999999999999999999 | TOO_LONG | invalid bulk length" })
	void protocolErrorsSayWhatRedisSays(String input, Reason reason, String message) {
		refusal(input.replace("\\r", "\r").replace("\\n", "\n") + "\r\n", reason).withMessage(message);
	}

	@Test
	void theStreamEndingInsideACommandIsTruncated() {
		refusal("*2\r\n$3\r\nGET\r\n", Reason.TRUNCATED);
		refusal("*1\r\n$3\r\nGE", Reason.TRUNCATED);
		refusal("GET k", Reason.TRUNCATED);
	}

	@Test
	void defaultsAreRedis() {
		RespReader reader = reader("");
		assertThat(reader.getMaxBulkLength()).isEqualTo(512L * 1024 * 1024);
		assertThat(reader.getMaxArguments()).isEqualTo(1024 * 1024);
		assertThat(reader.getMaxRequestSize()).isEqualTo(512L * 1024 * 1024);
		assertThat(reader.getMaxInlineLength()).isEqualTo(64 * 1024);
		assertThat(reader.maxBulkLength(Long.MAX_VALUE).getMaxBulkLength()).isEqualTo(Integer.MAX_VALUE - 8);
	}

	@Test
	void aBulkAtTheLimitIsReadAndOneByteMoreIsRefusedFromItsLength() throws IOException {
		assertThat(texts(RespReader.of(stream("*1\r\n$3\r\nabc\r\n")).maxBulkLength(3).readCommand())).containsExactly("abc");
		// nothing after the length is read: the stream would fail
		RespReader over = RespReader.of(thenFail("*1\r\n$4\r\n")).maxBulkLength(3);
		assertThatExceptionOfType(FrameException.class).isThrownBy(over::readCommand)
			.withMessage("invalid bulk length")
			.extracting(FrameException::getReason)
			.isEqualTo(Reason.TOO_LONG);
		// a declared 2 GB is refused by default, before anything follows it
		RespReader huge = RespReader.of(thenFail("*1\r\n$2000000000\r\n"));
		assertThatExceptionOfType(FrameException.class).isThrownBy(huge::readCommand).withMessage("invalid bulk length");
	}

	@Test
	void argumentsAtTheLimitAreReadAndOneMoreIsRefused() throws IOException {
		assertThat(RespReader.of(stream("*2\r\n$1\r\na\r\n$1\r\nb\r\n")).maxArguments(2).readCommand()).hasSize(2);
		assertThatExceptionOfType(FrameException.class)
			.isThrownBy(() -> RespReader.of(thenFail("*3\r\n")).maxArguments(2).readCommand())
			.withMessage("invalid multibulk length");
		assertThat(RespReader.of(stream("a b\r\n")).maxArguments(2).readCommand()).hasSize(2);
		assertThatExceptionOfType(FrameException.class)
			.isThrownBy(() -> RespReader.of(stream("a b c\r\n")).maxArguments(2).readCommand())
			.withMessage("invalid multibulk length");
	}

	@Test
	void aRequestAtTheLimitIsReadAndOneThatPassesItIsRefusedAtTheLength() throws IOException {
		assertThat(RespReader.of(stream("*2\r\n$2\r\nab\r\n$3\r\ncde\r\n")).maxRequestSize(5).readCommand()).hasSize(2);
		assertThatExceptionOfType(FrameException.class)
			.isThrownBy(() -> RespReader.of(thenFail("*2\r\n$2\r\nab\r\n$4\r\n")).maxRequestSize(5).readCommand())
			.withMessage("request too large")
			.extracting(FrameException::getReason)
			.isEqualTo(Reason.TOO_LONG);
	}

	@Test
	void anInlineLineAtTheLimitIsReadAndALongerOneIsRefusedBeforeItsEnd() throws IOException {
		assertThat(inlineWithLimit("0123456789\r\n", 10)).containsExactly("0123456789");
		assertThat(inlineWithLimit("01234 6789\n", 10)).containsExactly("01234", "6789");
		assertThatExceptionOfType(FrameException.class)
			.isThrownBy(() -> RespReader.of(stream("0123456789A\r\n")).maxInlineLength(10).readCommand())
			.withMessage("too big inline request");
		// refused at the 12th byte, without waiting for a line end
		assertThatExceptionOfType(FrameException.class)
			.isThrownBy(() -> RespReader.of(thenFail("0123456789AB")).maxInlineLength(10).readCommand())
			.withMessage("too big inline request")
			.extracting(FrameException::getReason)
			.isEqualTo(Reason.TOO_LONG);
		assertThatExceptionOfType(FrameException.class)
			.isThrownBy(() -> RespReader.of(thenFail("x".repeat(64 * 1024 + 2))).readCommand())
			.withMessage("too big inline request");
	}

	@Test
	void settersRefuseNonsense() {
		RespReader reader = reader("");
		assertThatExceptionOfType(IllegalArgumentException.class).isThrownBy(() -> reader.maxBulkLength(-1));
		assertThatExceptionOfType(IllegalArgumentException.class).isThrownBy(() -> reader.maxArguments(0));
		assertThatExceptionOfType(IllegalArgumentException.class).isThrownBy(() -> reader.maxRequestSize(-1));
		assertThatExceptionOfType(IllegalArgumentException.class).isThrownBy(() -> reader.maxInlineLength(0));
	}

	@Test
	void aLargeBulkArrivingInPiecesIsReadWhole() throws IOException {
		byte[] value = new byte[3 * 1024 * 1024];
		for (int i = 0; i < value.length; i++) {
			value[i] = (byte) i;
		}
		byte[] header = "*1\r\n$3145728\r\n".getBytes(StandardCharsets.US_ASCII);
		byte[] input = new byte[header.length + value.length + 2];
		System.arraycopy(header, 0, input, 0, header.length);
		System.arraycopy(value, 0, input, header.length, value.length);
		input[input.length - 2] = '\r';
		input[input.length - 1] = '\n';
		InputStream trickle = new ByteArrayInputStream(input) {

			@Override
			public synchronized int read(byte[] b, int off, int len) {
				return super.read(b, off, Math.min(len, 1000));
			}

		};
		List<byte[]> command = RespReader.of(trickle).readCommand();
		assertThat(command).hasSize(1);
		assertThat(command.get(0)).isEqualTo(value);
	}

	@Test
	void eachRefusalIsReportedOnceToTheConnectionWithItsReason() throws IOException {
		String[] inputs = { "*1\r\n$x\r\n", "*1\r\n$2000000000\r\n", "\"open\r\n", "*1\r\n$3\r\nab", "SET k v\r\n" };
		List<String> reasons = new ArrayList<>();
		for (String input : inputs) {
			Connection connection = connection(stream(input), reasons);
			try {
				RespReader.of(connection).readCommand();
			}
			catch (FrameException ex) {
				// reported before it is thrown
			}
		}
		assertThat(reasons).containsExactly("malformed", "too-long", "malformed", "truncated");
	}

	private static List<String> inline(String input) throws IOException {
		RespReader reader = reader(input);
		List<String> arguments = texts(reader.readCommand());
		assertThat(reader.readCommand()).as("one command").isNull();
		return arguments;
	}

	private static List<String> inlineWithLimit(String input, int limit) throws IOException {
		return texts(RespReader.of(stream(input)).maxInlineLength(limit).readCommand());
	}

	private static ThrowableAssertAlternative<FrameException> refusal(String input, Reason reason) {
		RespReader reader = reader(input);
		ThrowableAssertAlternative<FrameException> refusal = assertThatExceptionOfType(FrameException.class)
			.isThrownBy(reader::readCommand);
		refusal.extracting(FrameException::getReason).isEqualTo(reason);
		refusal.satisfies((ex) -> assertThat(ex.getMessage()).doesNotContain("\r", "\n"));
		return refusal;
	}

	private static RespReader reader(String input) {
		return RespReader.of(stream(input));
	}

	private static InputStream stream(String input) {
		return new ByteArrayInputStream(input.getBytes(StandardCharsets.ISO_8859_1));
	}

	/** Hands out {@code input}, then fails any further read: what is refused must be refused before. */
	private static InputStream thenFail(String input) {
		return new ByteArrayInputStream(input.getBytes(StandardCharsets.ISO_8859_1)) {

			@Override
			public synchronized int read(byte[] b, int off, int len) {
				if (available() == 0) {
					throw new AssertionError("read past " + input.length() + " bytes");
				}
				return super.read(b, off, len);
			}

		};
	}

	private static List<String> texts(List<byte[]> arguments) {
		List<String> texts = new ArrayList<>();
		for (byte[] argument : arguments) {
			texts.add(new String(argument, StandardCharsets.ISO_8859_1));
		}
		return texts;
	}

	/**
	 * A connection over {@code in}, recording what {@link Connection#frameRejected(String)} is
	 * told; a proxy, so that methods the interface gains need nothing here.
	 */
	private static Connection connection(InputStream in, List<String> reasons) {
		return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] { Connection.class },
				(proxy, method, args) -> switch (method.getName()) {
					case "getInputStream" -> in;
					case "frameRejected" -> {
						reasons.add((String) args[0]);
						yield null;
					}
					default -> method.isDefault() ? InvocationHandler.invokeDefault(proxy, method, args) : null;
				});
	}

}
