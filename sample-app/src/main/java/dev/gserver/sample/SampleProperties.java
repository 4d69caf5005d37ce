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

	/**
	 * Whether each Redis command is a "gserver.request" observation (a timer per command, and a
	 * span with Micrometer Tracing), a child of its connection's "gserver.connection"
	 * observation. Off, a command costs no more than a check.
	 */
	private boolean observeCommands;

	/**
	 * Whether to run a UDP echo server too (the server 'gserverUdp', on 'gserver.udp.port'): it
	 * sends every datagram back to its sender.
	 */
	private boolean udpEcho;

	/** The chat room's settings. */
	private final Chat chat = new Chat();

	public boolean isObserveCommands() {
		return this.observeCommands;
	}

	public void setObserveCommands(boolean observeCommands) {
		this.observeCommands = observeCommands;
	}

	public boolean isUdpEcho() {
		return this.udpEcho;
	}

	public void setUdpEcho(boolean udpEcho) {
		this.udpEcho = udpEcho;
	}

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

	public Chat getChat() {
		return this.chat;
	}

	/** Settings of the line-based chat room ({@link ChatHandler}). */
	public static class Chat {

		/**
		 * Longest line a chat client may send, in bytes, its end excluded; a longer one is
		 * answered with "ERR line too long" and the connection is closed.
		 */
		private DataSize maxLineLength = DataSize.ofBytes(1024);

		public DataSize getMaxLineLength() {
			return this.maxLineLength;
		}

		public void setMaxLineLength(DataSize maxLineLength) {
			this.maxLineLength = maxLineLength;
		}

	}

}
