package dev.gserver;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;

import javax.net.ssl.SSLSocket;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.gserver.proxy.ProxyHeader;
import dev.gserver.proxy.ProxyProtocol;
import dev.gserver.proxy.ProxyProtocolException;
import dev.gserver.proxy.ProxyProtocolMode;

/**
 * What a TCP client goes through on its handler's thread before its handler sees it: the PROXY
 * header, the cap per client address (on the header's address, and before the handshake, so
 * that a refused client costs none), then the TLS handshake, as the server asks. A client that
 * fails any is reported (a DEBUG line, not a WARN: a client that fails in a loop must not flood
 * the logs, and an event) and is then closed unhandled.
 */
final class Preparation {

	private static final Logger logger = LoggerFactory.getLogger(SocketConnection.class);

	private Preparation() {
	}

	/** Readies {@code client}; returns whether its handler may run. */
	static boolean prepare(SocketConnection client, ProxyProtocol proxyProtocol, AddressLimit addressLimit,
			TlsHandshake handshake, ServerEventListener events) {
		return readProxyHeader(client, proxyProtocol, events) && admit(client, addressLimit, events)
				&& secure(client, handshake, events);
	}

	private static boolean readProxyHeader(SocketConnection client, ProxyProtocol proxyProtocol,
			ServerEventListener events) {
		if (proxyProtocol.getMode() == ProxyProtocolMode.OFF) {
			return true;
		}
		Socket plain = client.getChannel().socket();
		try {
			int timeout = plain.getSoTimeout();
			// a deadline for the whole header, not a wait per read that every trickled byte restarts
			long deadline = System.nanoTime() + proxyProtocol.getTimeout().toNanos();
			ProxyHeader header = proxyProtocol.read(new DeadlineInputStream(plain, deadline),
					SocketConnection.remoteAddress(client.getChannel()));
			plain.setSoTimeout(timeout);
			if (header != null) {
				client.proxyHeaderRead(header);
			}
			return true;
		}
		catch (ProxyProtocolException ex) {
			logger.debug("PROXY header from {} refused ({}): {}", client, ex.getReason(), ex.getMessage());
			events.proxyHeaderRejected(ex.getReason());
			return false;
		}
		catch (IOException ex) {
			logger.debug("PROXY header from {} not read: {}", client, ex.toString());
			events.proxyHeaderRejected(ProxyProtocolException.CLOSED);
			return false;
		}
	}

	private static boolean admit(SocketConnection client, AddressLimit limit, ServerEventListener events) {
		if (!limit.isEnabled() || !(client.getRemoteAddress() instanceof InetSocketAddress remote)
				|| remote.getAddress() == null) {
			// no cap, or a Unix socket client: nothing to count
			return true;
		}
		InetAddress address = remote.getAddress();
		AddressLimit.Slot slot = limit.acquire(address);
		if (slot != null) {
			client.admitted(slot);
			return true;
		}
		logger.debug("Connection from {} refused: {} connection(s) from its address already open", remote,
				limit.getMax());
		events.connectionRejected(ServerEventListener.REJECTED_PER_ADDRESS);
		return false;
	}

	private static boolean secure(SocketConnection client, TlsHandshake handshake, ServerEventListener events) {
		if (!handshake.isEnabled()) {
			return true;
		}
		byte[] consumed = client.takeReplay();
		long started = Deadlines.now();
		// the watchdog's: a read timeout alone would let a client trickling its ClientHello hold the connection
		client.handshakeDeadline = Deadlines.deadline(started, handshake.getTimeout());
		try {
			SSLSocket socket = handshake.handshake(client.getChannel().socket(), consumed, client.getRemoteAddress());
			// secure only once the handshake succeeded
			client.secured(socket);
			events.tlsHandshakeFinished(true, System.nanoTime() - started);
			return true;
		}
		catch (IOException | RuntimeException ex) {
			events.tlsHandshakeFinished(false, System.nanoTime() - started);
			String reason = client.wasClosedFor(TlsFailures.TIMEOUT) ? TlsFailures.TIMEOUT : TlsFailures.reason(ex);
			logger.debug("TLS handshake with {} failed ({}): {}", client, reason, ex.toString());
			events.tlsHandshakeFailed(reason);
			return false;
		}
		finally {
			client.handshakeDeadline = 0;
		}
	}

}
