package dev.gserver;

import java.io.IOException;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * A server on 127.0.0.1:0 whose accepts first fail with the errors queued for them, in order, as a
 * real accept would under "Too many open files" ({@code IOException}: the server backs off) or
 * with its listener closed under it ({@code ClosedChannelException}: fatal), or out of memory for a
 * moment ({@code OutOfMemoryError}: the server backs off). Shared by the core
 * tests and, as a user's server bean, by the auto-configuration tests.
 */
public class FailingAcceptServer extends StreamServer {

	private final Queue<Throwable> failures = new ConcurrentLinkedQueue<>();

	/** Answers "PONG" to each connection it does accept. */
	public FailingAcceptServer() {
		this(Handlers::pong);
	}

	public FailingAcceptServer(Handler handler) {
		super("127.0.0.1:0", handler);
	}

	/**
	 * Queues {@code failure} for the next accept that has none queued before it.
	 * @return this
	 */
	public FailingAcceptServer failNextAccept(IOException failure) {
		this.failures.add(failure);
		return this;
	}

	/**
	 * Queues {@code failure}, such as an {@code OutOfMemoryError}, for the next accept that has
	 * none queued before it.
	 * @return this
	 */
	public FailingAcceptServer failNextAccept(Error failure) {
		this.failures.add(failure);
		return this;
	}

	@Override
	protected SocketConnection doRead() throws IOException {
		Throwable failure = this.failures.poll();
		if (failure instanceof Error error) {
			throw error;
		}
		if (failure != null) {
			throw (IOException) failure;
		}
		return super.doRead();
	}

}
