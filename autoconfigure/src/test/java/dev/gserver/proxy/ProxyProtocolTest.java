package dev.gserver.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

/** {@link ProxyProtocol}: which clients are read, and the reason each refusal carries. */
class ProxyProtocolTest {

	private static final InetSocketAddress LOOPBACK = new InetSocketAddress("127.0.0.1", 40000);

	private static final InetSocketAddress ELSEWHERE = new InetSocketAddress("192.0.2.7", 40000);

	private static final String V1 = "PROXY TCP4 198.51.100.1 203.0.113.2 5000 80\r\nhello";

	@Test
	void offReadsNothing() throws Exception {
		InputStream in = stream(V1);
		assertThat(ProxyProtocol.OFF.read(in, LOOPBACK)).isNull();
		assertThat(in.available()).isEqualTo(V1.length());
	}

	@Test
	void aTrustedHeaderIsReadWithExactlyItsOwnBytes() throws Exception {
		InputStream in = stream(V1);
		ProxyHeader header = ProxyProtocol.of(ProxyProtocolMode.REQUIRED)
			.withTrusted(List.of(CidrRange.parse("127.0.0.0/8")))
			.read(in, LOOPBACK);
		assertThat(header.getSourceAddress()).isEqualTo(new InetSocketAddress("198.51.100.1", 5000));
		assertThat(new String(in.readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo("hello");
	}

	@Test
	void anUntrustedSourceIsNotReadWhenOptionalAndRefusedWhenRequired() throws Exception {
		List<CidrRange> trusted = List.of(CidrRange.parse("127.0.0.0/8"));
		InputStream in = stream(V1);
		assertThat(ProxyProtocol.of(ProxyProtocolMode.OPTIONAL).withTrusted(trusted).read(in, ELSEWHERE)).isNull();
		assertThat(in.available()).isEqualTo(V1.length());
		assertThat(refusal(ProxyProtocol.of(ProxyProtocolMode.REQUIRED).withTrusted(trusted), stream(V1), ELSEWHERE))
			.isEqualTo(ProxyProtocolException.UNTRUSTED);
	}

	@Test
	void eachRefusalNamesItsReason() {
		ProxyProtocol required = ProxyProtocol.of(ProxyProtocolMode.REQUIRED);
		assertThat(refusal(required, stream("GET / HTTP/1.1\r\n"), LOOPBACK)).isEqualTo(ProxyProtocolException.MISSING);
		assertThat(refusal(required, stream("PROXY TCP4 198.51.100.1"), LOOPBACK)).isEqualTo(ProxyProtocolException.CLOSED);
		assertThat(refusal(required, stream("PROXY TCP4 x y 1 2\r\n"), LOOPBACK)).isEqualTo(ProxyProtocolException.MALFORMED);
		InputStream silent = new InputStream() {

			@Override
			public int read() throws IOException {
				throw new SocketTimeoutException("Read timed out");
			}

		};
		assertThat(refusal(required, silent, LOOPBACK)).isEqualTo(ProxyProtocolException.TIMEOUT);
	}

	@Test
	void anOptionalHeaderThatIsAbsentLeavesItsBytesToTheHandler() throws Exception {
		ProxyHeader header = ProxyProtocol.of(ProxyProtocolMode.OPTIONAL).read(stream("PING\r\n"), LOOPBACK);
		assertThat(header.isPresent()).isFalse();
		assertThat(header.getConsumed()).isNotEmpty();
	}

	@Test
	void theTimeoutMustBePositive() {
		assertThat(ProxyProtocol.OFF.getTimeout()).isEqualTo(Duration.ofSeconds(5));
		assertThatIllegalArgumentException().isThrownBy(() -> ProxyProtocol.OFF.withTimeout(Duration.ZERO));
		assertThatIllegalArgumentException().isThrownBy(() -> ProxyProtocol.OFF.withTimeout(null));
		assertThat(ProxyProtocol.OFF.withTimeout(Duration.ofMillis(200)).getTimeout()).isEqualTo(Duration.ofMillis(200));
	}

	private static String refusal(ProxyProtocol protocol, InputStream in, InetSocketAddress peer) {
		return assertThatExceptionOfType(ProxyProtocolException.class).isThrownBy(() -> protocol.read(in, peer))
			.actual()
			.getReason();
	}

	private static InputStream stream(String text) {
		return new ByteArrayInputStream(text.getBytes(StandardCharsets.US_ASCII));
	}

}
