package dev.gserver;

import java.io.IOException;

import org.jspecify.annotations.Nullable;

/**
 * A client broke the protocol: bad input, not a fault of the server. A handler that lets one
 * escape ends its connection as with any failure, but the server logs it at DEBUG only, since
 * whoever refused the input counted it already (the codecs' {@code gserver.frames.rejected}): one
 * hostile client must not flood the log.
 */
public class ProtocolException extends IOException {

	private static final long serialVersionUID = 1L;

	public ProtocolException(String message) {
		super(message);
	}

	public ProtocolException(String message, @Nullable Throwable cause) {
		super(message, cause);
	}

}
