package dev.gserver;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The file of a Unix domain socket a server listens on: one that a crashed run left behind is
 * removed before binding, and the server removes its own when it closes.
 */
final class UnixSocketFile {

	private static final Logger logger = LoggerFactory.getLogger(UnixSocketFile.class);

	private final Path path;

	private UnixSocketFile(Path path) {
		this.path = path;
	}

	/**
	 * Makes way for a listener on {@code address}: deletes a stale socket file. A file a live
	 * server listens on is left alone, and binding then fails as "address in use".
	 */
	static UnixSocketFile claim(UnixDomainSocketAddress address) throws IOException {
		Path path = address.getPath();
		if (Files.exists(path) && !isListenedOn(address)) {
			Files.deleteIfExists(path);
		}
		return new UnixSocketFile(path);
	}

	private static boolean isListenedOn(UnixDomainSocketAddress address) {
		try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
			probe.connect(address);
			return true;
		}
		catch (IOException ex) {
			return false;
		}
	}

	/** Removes the file, once its listener is closed. */
	void delete() {
		try {
			Files.deleteIfExists(this.path);
		}
		catch (IOException ex) {
			logger.warn("Could not remove the socket file {}: {}", this.path, ex.toString());
		}
	}

}
