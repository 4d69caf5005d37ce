package dev.gserver;

import java.io.EOFException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.Locale;

import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLProtocolException;

/** Sorts failed TLS handshakes into a few fixed reasons: a metric tag must not carry free text. */
final class TlsFailures {

	/** The handshake did not complete within the handshake timeout, however its bytes were paced. */
	static final String TIMEOUT = "timeout";

	/** A client asked for a second handshake on a secured connection: refused, and the connection closed. */
	static final String RENEGOTIATION = "renegotiation";

	private TlsFailures() {
	}

	/** Returns {@code timeout}, {@code closed}, {@code certificate}, {@code protocol} or {@code other}. */
	static String reason(Throwable failure) {
		for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
			if (cause instanceof SocketTimeoutException) {
				return TIMEOUT;
			}
			String message = String.valueOf(cause.getMessage()).toLowerCase(Locale.ROOT);
			if (message.contains("certificate") || message.contains("pkix") || message.contains("unknown_ca")) {
				return "certificate";
			}
			// a client that gave up may leave the server's last write failing with a plain IOException
			if (cause instanceof EOFException || cause instanceof SocketException
					|| message.contains("remote host terminated") || message.contains("closed")
					|| message.contains("broken pipe") || message.contains("connection reset")) {
				return "closed";
			}
			if (cause instanceof SSLProtocolException || cause instanceof SSLHandshakeException
					|| message.contains("unrecognized ssl message") || message.contains("protocol")
					|| message.contains("cipher")) {
				return "protocol";
			}
		}
		return "other";
	}

}
