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

	/**
	 * Most bytes of bulk strings one command may carry in all; a command declaring more is
	 * refused as its lengths are read, before they are allocated. Redis's
	 * client-query-buffer-limit.
	 */
	private DataSize maxRequestSize = DataSize.ofGigabytes(1);

	public DataSize getMaxRequestSize() {
		return this.maxRequestSize;
	}

	public void setMaxRequestSize(DataSize maxRequestSize) {
		this.maxRequestSize = maxRequestSize;
	}

	public DataSize getMaxBulkLength() {
		return this.maxBulkLength;
	}

	public void setMaxBulkLength(DataSize maxBulkLength) {
		this.maxBulkLength = maxBulkLength;
	}

}
