package dev.gserver.sample;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.util.unit.DataSize;

/** {@code sample.*} binds as application.yml spells it, and defaults as the contract says. */
class SamplePropertiesTest {

	@Test
	void theChatRoomsLongestLineIs1024BytesByDefault() {
		assertThat(bind(Map.of()).getChat().getMaxLineLength()).isEqualTo(DataSize.ofBytes(1024));
		assertThat(bind(Map.of()).getChat().getMaxLineLength().toBytes()).isEqualTo(ChatHandler.DEFAULT_MAX_LINE_LENGTH);
	}

	@Test
	void theChatRoomsLongestLineBindsInBytesOrWithAUnit() {
		assertThat(bind(Map.of("sample.chat.max-line-length", "512")).getChat().getMaxLineLength())
			.isEqualTo(DataSize.ofBytes(512));
		assertThat(bind(Map.of("sample.chat.max-line-length", "2KB")).getChat().getMaxLineLength())
			.isEqualTo(DataSize.ofKilobytes(2));
	}

	private static SampleProperties bind(Map<String, String> properties) {
		return new Binder(new MapConfigurationPropertySource(properties)).bindOrCreate("sample", SampleProperties.class);
	}

}
