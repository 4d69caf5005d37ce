package dev.gserver;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class AddressesTest {

	@ParameterizedTest
	@CsvSource(delimiter = '|', value = { "127.0.0.1:7000 | 127.0.0.1 | 7000", "localhost:80 | 127.0.0.1 | 80",
			"[::1]:7000 | ::1 | 7000", "[::1]:0 | ::1 | 0" })
	void parsesHostAndPort(String text, String host, int port) {
		InetSocketAddress address = (InetSocketAddress) Addresses.parse(text);
		assertThat(Addresses.host(address)).isEqualTo(host);
		assertThat(address.getPort()).isEqualTo(port);
	}

	@ParameterizedTest
	@ValueSource(strings = { "7000", " 7000", ":7000", "*:7000", "[*]:7000", "[]:7000" })
	void parsesEveryLocalAddress(String text) {
		InetSocketAddress address = (InetSocketAddress) Addresses.parse(text);
		assertThat(address.getAddress().isAnyLocalAddress()).isTrue();
		assertThat(address.getPort()).isEqualTo(7000);
	}

	@Test
	void parsesUnixSocketPath() {
		SocketAddress address = Addresses.parse("unix:/run/app.sock");
		assertThat(address).isEqualTo(UnixDomainSocketAddress.of(Path.of("/run/app.sock")));
		assertThat(Addresses.format(address)).isEqualTo("unix:/run/app.sock");
	}

	@ParameterizedTest
	@ValueSource(strings = { "abc", "127.0.0.1:abc", "::1:8080", "127.0.0.1:70000", "127.0.0.1:-1", "", ":",
			"[::1:80", "[127.0.0.1]:80", "unix:", "my host:80" })
	void rejectsMalformedAddressQuotingIt(String text) {
		assertThatIllegalArgumentException().isThrownBy(() -> Addresses.parse(text))
			.withMessageStartingWith("Failed to parse address '" + text + "': ");
	}

	@Test
	void serverConstructorRejectsMalformedAddress() {
		assertThatIllegalArgumentException().isThrownBy(() -> new StreamServer("127.0.0.1:http", Handlers::pong))
			.withMessageContaining("'127.0.0.1:http'");
	}

	@ParameterizedTest
	@CsvSource(delimiter = '|', value = { "127.0.0.1:7000 | 127.0.0.1:7000", "[::1]:7000 | [::1]:7000",
			"*:7000 | 0.0.0.0:7000", "[fe80:0:0:0:1:0:0:2]:1 | [fe80::1:0:0:2]:1",
			"[1:0:0:2:0:0:0:3]:1 | [1:0:0:2::3]:1" })
	void formatsAsItParses(String text, String formatted) {
		assertThat(Addresses.format(Addresses.parse(text))).isEqualTo(formatted);
	}

}
