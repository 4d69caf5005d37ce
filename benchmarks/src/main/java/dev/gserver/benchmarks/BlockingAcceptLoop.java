package dev.gserver.benchmarks;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

import dev.gserver.StreamServer;

/**
 * The baseline with gserver off: what a server with no accept loop of its own, no spawn and no
 * events does for the same connection. One platform thread blocks in
 * {@link ServerSocket#accept()} and closes each client at once. The listener is set up as a
 * {@link StreamServer}'s is (backlog, {@code SO_REUSEADDR}), so that the kernel's side is the same.
 */
final class BlockingAcceptLoop {

	private final ServerSocket listener;

	private final Thread acceptThread;

	private BlockingAcceptLoop(ServerSocket listener) {
		this.listener = listener;
		this.acceptThread = new Thread(this::acceptUntilClosed, "baseline-accept");
	}

	/** Binds 127.0.0.1 on a free port and starts accepting. */
	static BlockingAcceptLoop start() throws IOException {
		ServerSocket listener = new ServerSocket();
		try {
			listener.setReuseAddress(true);
			listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), StreamServer.DEFAULT_BACKLOG);
		}
		catch (IOException ex) {
			listener.close();
			throw ex;
		}
		BlockingAcceptLoop loop = new BlockingAcceptLoop(listener);
		loop.acceptThread.start();
		return loop;
	}

	InetSocketAddress getAddress() {
		return (InetSocketAddress) this.listener.getLocalSocketAddress();
	}

	private void acceptUntilClosed() {
		while (!this.listener.isClosed()) {
			try {
				// the "handler" does nothing: the client is closed at once, as StreamServer closes it
				this.listener.accept().close();
			}
			catch (IOException ex) {
				if (!this.listener.isClosed()) {
					throw new IllegalStateException("The baseline's accept failed", ex);
				}
			}
		}
	}

	/** Closes the listener, which ends the blocked accept, and waits for the thread. */
	void stop() throws IOException, InterruptedException {
		this.listener.close();
		this.acceptThread.join();
	}

}
