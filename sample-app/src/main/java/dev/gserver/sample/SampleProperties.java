package dev.gserver.sample;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/** Settings of the sample key-value server. */
@ConfigurationProperties("sample")
public class SampleProperties {

	/**
	 * Longest bulk string (key or value) a client may send, in bytes; a longer one is refused
	 * before anything is allocated for it. Redis's proto-max-bulk-len.
	 */
	private DataSize maxBulkLength = DataSize.ofMegabytes(512);

	public DataSize getMaxBulkLength() {
		return this.maxBulkLength;
	}

	public void setMaxBulkLength(DataSize maxBulkLength) {
		this.maxBulkLength = maxBulkLength;
	}

}
