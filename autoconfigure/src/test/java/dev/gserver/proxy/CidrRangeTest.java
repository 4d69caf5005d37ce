package dev.gserver.proxy;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class CidrRangeTest {

	@ParameterizedTest
	@CsvSource(delimiter = '|', value = { "10.0.0.0/8 | 10.0.0.0/8", "127.0.0.1/32 | 127.0.0.1/32",
			"127.0.0.1 | 127.0.0.1/32", "0.0.0.0/0 | 0.0.0.0/0", "::1/128 | ::1/128", "::1 | ::1/128",
			"fd00::/8 | fd00::/8", "::/0 | ::/0", "'  192.168.0.0/16 ' | 192.168.0.0/16",
			"FD00:0:0::1/16 | fd00::/16", "2001:db8:0:0:1:0:0:1/128 | 2001:db8::1:0:0:1/128",
			"2001:0db8:0000:0000:0000:0000:0000:0001/64 | 2001:db8::/64", "1:0:0:2:0:0:0:3 | 1:0:0:2::3/128",
			"1:2:3:4:5:6:7:8/128 | 1:2:3:4:5:6:7:8/128", "1:2:3:4:5:6:7::/128 | 1:2:3:4:5:6:7:0/128",
			"::ffff:10.0.0.0/104 | ::ffff:10.0.0.0/104", "::ffff:a00:1/128 | ::ffff:10.0.0.1/128",
			"::192.0.2.1/128 | ::c000:201/128" })
	void parsesToTheCanonicalForm(String text, String canonical) {
		CidrRange range = CidrRange.parse(text);
		assertThat(range).hasToString(canonical);
		assertThat(CidrRange.parse(canonical)).isEqualTo(range);
	}

	@ParameterizedTest
	@CsvSource(delimiter = '|', value = { "10.1.2.3/8 | 10.0.0.0/8", "192.168.255.255/17 | 192.168.128.0/17",
			"10.0.0.1/0 | 0.0.0.0/0", "fd12:3456::1/8 | fd00::/8", "fe80::1/10 | fe80::/10", "2001:db8::ffff/127 | 2001:db8::fffe/127" })
	void clearsHostBits(String text, String canonical) {
		assertThat(CidrRange.parse(text)).hasToString(canonical).isEqualTo(CidrRange.parse(canonical));
		assertThat(CidrRange.parse(text)).hasSameHashCodeAs(CidrRange.parse(canonical));
	}

	@ParameterizedTest
	@CsvSource(delimiter = '|', value = { "10.0.0.0/8 | 10.0.0.0 | true", "10.0.0.0/8 | 10.255.255.255 | true",
			"10.0.0.0/8 | 11.0.0.0 | false", "10.0.0.0/8 | 9.255.255.255 | false",
			"192.168.128.0/17 | 192.168.200.1 | true", "192.168.128.0/17 | 192.168.127.1 | false",
			"127.0.0.1 | 127.0.0.1 | true", "127.0.0.1 | 127.0.0.2 | false", "0.0.0.0/0 | 203.0.113.9 | true",
			"0.0.0.0/0 | ::1 | false", "127.0.0.1/32 | ::1 | false", "fd00::/8 | fd12::1 | true",
			"fd00::/8 | fe80::1 | false", "fd00::/8 | 10.0.0.1 | false", "::/0 | 2001:db8::1 | true",
			"::/0 | 127.0.0.1 | false", "::1 | ::1 | true", "::1 | ::2 | false", "fe80::/10 | febf::1 | true",
			"fe80::/10 | fec0::1 | false",
			// a dual-stack socket's IPv4 client, in either form
			"::ffff:0:0/96 | 192.0.2.1 | true", "::ffff:10.0.0.0/104 | 10.1.1.1 | true",
			"::ffff:10.0.0.0/104 | 11.0.0.0 | false" })
	void containsAddressesOfItsFamily(String range, String address, boolean contained) throws UnknownHostException {
		assertThat(CidrRange.parse(range).contains(InetAddress.getByName(address))).isEqualTo(contained);
	}

	@Test
	void anIPv4RangeContainsIPv4MappedAddresses() throws UnknownHostException {
		CidrRange range = CidrRange.parse("10.0.0.0/8");
		assertThat(range.contains(mapped(10, 1, 2, 3))).isTrue();
		assertThat(range.contains(mapped(11, 1, 2, 3))).isFalse();
		assertThat(CidrRange.parse("0.0.0.0/0").contains(mapped(1, 2, 3, 4))).isTrue();
		// ::0a01:0203 is IPv4-compatible, not mapped: an IPv6 address like any other
		byte[] compatible = new byte[16];
		compatible[12] = 10;
		assertThat(range.contains(Inet6Address.getByAddress(null, compatible, -1))).isFalse();
	}

	/** {@code ::ffff:a.b.c.d} as an Inet6Address, which InetAddress.getByAddress would turn into IPv4. */
	private static InetAddress mapped(int a, int b, int c, int d) throws UnknownHostException {
		byte[] bytes = new byte[16];
		bytes[10] = (byte) 0xff;
		bytes[11] = (byte) 0xff;
		bytes[12] = (byte) a;
		bytes[13] = (byte) b;
		bytes[14] = (byte) c;
		bytes[15] = (byte) d;
		InetAddress address = Inet6Address.getByAddress(null, bytes, -1);
		assertThat(address).isInstanceOf(Inet6Address.class);
		return address;
	}

	@Test
	void containsNothingForNull() {
		assertThat(CidrRange.parse("0.0.0.0/0").contains(null)).isFalse();
	}

	@ParameterizedTest
	@ValueSource(strings = { "", " ", "/8", "10.0.0.0/", "10.0.0.0/33", "10.0.0.0/-1", "10.0.0.0/+8", "10.0.0.0/8/8",
			"10.0.0.0/ 8", "10.0.0.0 /8", "10.0.0.0/8.0", "10.0.0.0/0x8", "10.0.0.0/1000", "10.0.0/8", "256.0.0.0/8",
			"10.0.0.01/32", "10.0.0.0.0/8", "::/129", "::1/-0", "localhost", "localhost/8", "example.com/24",
			"gserver.invalid", "127.1", "2130706433", "0x7f000001", "fe80::1%eth0/64", "[::1]/128", "[::1]",
			"1:2:3:4:5:6:7:8:9/64", "::1::/8", ":::/0", "12345::/16", "1:2:3:4:5:6:7:8::/128", ":1::/16", "1::2:/16",
			"::g/16", "1.2.3.4::/16", "::1.2.3/128", "::ffff:256.0.0.1/128", "1:2:3:4:5:6:7:1.2.3.4/128",
			"\u0661\u0660.0.0.0/8" })
	void rejectsWhatIsNotARangeWithoutALookup(String text) {
		assertThatIllegalArgumentException().isThrownBy(() -> CidrRange.parse(text))
			.withMessageStartingWith("Failed to parse CIDR range '" + text + "': ")
			.withMessageContaining("such as 10.0.0.0/8");
	}

	@Test
	void rejectsNull() {
		assertThatIllegalArgumentException().isThrownBy(() -> CidrRange.parse(null))
			.withMessageStartingWith("Failed to parse CIDR range null");
	}

	@Test
	void namesTheHostNameItRefuses() {
		assertThatIllegalArgumentException().isThrownBy(() -> CidrRange.parse("localhost/32"))
			.withMessageContaining("'localhost' is not an IPv4 address (host names are not accepted)");
	}

	/** The literal parser agrees with Java's on every form Java writes, and reads back its own canonical form. */
	@Test
	void readsAddressesAsJavaWritesThem() throws UnknownHostException {
		Random random = new Random(42);
		for (int i = 0; i < 2000; i++) {
			byte[] bytes = new byte[16];
			random.nextBytes(bytes);
			// runs of zero groups, where compression happens
			for (int group = 0; group < 8; group++) {
				if (random.nextInt(3) == 0) {
					bytes[2 * group] = 0;
					bytes[2 * group + 1] = 0;
				}
			}
			String written = Inet6Address.getByAddress(null, bytes, -1).getHostAddress();
			assertThat(CidrRange.parse(written)).as(written).isEqualTo(CidrRange.parse(IpLiterals.format(bytes)));
			assertThat(IpLiterals.parseIpv6(written)).as(written).isEqualTo(bytes);
			assertThat(IpLiterals.parseIpv6(IpLiterals.format(bytes))).as(IpLiterals.format(bytes)).isEqualTo(bytes);
			byte[] ipv4 = Arrays.copyOf(bytes, 4);
			String dotted = InetAddress.getByAddress(ipv4).getHostAddress();
			assertThat(IpLiterals.parseIpv4(dotted)).as(dotted).isEqualTo(ipv4);
			assertThat(IpLiterals.format(ipv4)).isEqualTo(dotted);
		}
	}

}
