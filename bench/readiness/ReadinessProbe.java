import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.reflect.Method;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * An experiment, not product code: does owning socket readiness (edge-triggered epoll through the
 * JDK 22+ foreign-function API, registered once per connection) make a blocking virtual-thread
 * server cheaper per request than the JDK's own path (a read that finds nothing, an EPOLLONESHOT
 * re-arm, a park)? Both modes run the same thread-per-connection PING server; only the wait differs.
 *
 *   java --enable-native-access=ALL-UNNAMED --add-exports java.base/sun.nio.ch=ALL-UNNAMED \
 *       --add-opens java.base/sun.nio.ch=ALL-UNNAMED bench/readiness/ReadinessProbe.java PORT jdk|edge
 *
 * Answers "+PONG\r\n" per '*' received: drive it with redis-benchmark -t ping_mbulk only.
 * See bench/readiness/compare.sh.
 */
public class ReadinessProbe {

	private static final int EPOLLIN = 0x001, EPOLLRDHUP = 0x2000, EPOLLET = 1 << 31, EPOLL_CTL_ADD = 1;

	/** struct epoll_event is packed on x86-64: a 32-bit mask, then 64 bits of data at offset 4. */
	private static final int EVENT_SIZE = 12;

	private static final byte[] PONG = "+PONG\r\n".getBytes();

	private static final ConcurrentHashMap<Long, Waiter> waiters = new ConcurrentHashMap<>();

	private static final AtomicLong ids = new AtomicLong();

	private static MethodHandle epollCtl;

	private static int epfd;

	/** One connection's readiness: set by the poller on each edge, cleared by its reader before each read. */
	static final class Waiter {
		final Thread thread;
		volatile boolean ready;
		Waiter(Thread thread) { this.thread = thread; }
	}

	public static void main(String[] args) throws Throwable {
		boolean edge = args[1].equals("edge");
		if (edge) {
			startPoller();
		}
		ServerSocketChannel listener = ServerSocketChannel.open();
		listener.bind(new InetSocketAddress("127.0.0.1", Integer.parseInt(args[0])), 4096);
		System.out.println("listening, readiness " + args[1]);
		for (;;) {
			SocketChannel channel = listener.accept();
			Thread.ofVirtual().start(() -> serve(channel, edge));
		}
	}

	private static void serve(SocketChannel channel, boolean edge) {
		try (channel) {
			Waiter waiter = edge ? register(channel) : null;
			InputStream in = channel.socket().getInputStream();
			OutputStream out = channel.socket().getOutputStream();
			byte[] buffer = new byte[16 * 1024];
			byte[] replies = new byte[16 * PONG.length];
			boolean drained = false;
			for (;;) {
				if (waiter != null) {
					// a short read emptied the socket: wait for the next edge instead of a read that finds nothing
					while (drained && !waiter.ready) {
						LockSupport.park();
					}
					waiter.ready = false;
				}
				int n = in.read(buffer);
				if (n < 0) {
					return;
				}
				drained = n < buffer.length;
				int count = 0;
				for (int i = 0; i < n; i++) {
					if (buffer[i] == '*') {
						if ((count + 1) * PONG.length > replies.length) {
							replies = Arrays.copyOf(replies, replies.length * 2);
						}
						System.arraycopy(PONG, 0, replies, count++ * PONG.length, PONG.length);
					}
				}
				if (count > 0) {
					out.write(replies, 0, count * PONG.length);
				}
			}
		}
		catch (Throwable ex) {
			// the client went away
		}
	}

	private static Waiter register(SocketChannel channel) throws Throwable {
		long id = ids.incrementAndGet();
		Waiter waiter = new Waiter(Thread.currentThread());
		waiters.put(id, waiter);
		int fd = ((sun.nio.ch.SelChImpl) channel).getFDVal();
		try (Arena arena = Arena.ofConfined()) {
			MemorySegment event = arena.allocate(EVENT_SIZE);
			event.set(ValueLayout.JAVA_INT_UNALIGNED, 0, EPOLLIN | EPOLLRDHUP | EPOLLET);
			event.set(ValueLayout.JAVA_LONG_UNALIGNED, 4, id);
			if ((int) epollCtl.invokeExact(epfd, EPOLL_CTL_ADD, fd, event) != 0) {
				throw new IOException("epoll_ctl failed");
			}
		}
		return waiter;
	}

	private static void startPoller() throws Throwable {
		Linker linker = Linker.nativeLinker();
		var libc = linker.defaultLookup();
		MethodHandle create = linker.downcallHandle(libc.find("epoll_create1").orElseThrow(),
				FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
		epollCtl = linker.downcallHandle(libc.find("epoll_ctl").orElseThrow(), FunctionDescriptor.of(ValueLayout.JAVA_INT,
				ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS));
		MethodHandle wait = linker.downcallHandle(libc.find("epoll_wait").orElseThrow(), FunctionDescriptor.of(
				ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
		epfd = (int) create.invokeExact(0);
		// the JDK's own hook for a selector on a virtual thread: park until an epoll fd is readable
		Method pollSelector = Class.forName("sun.nio.ch.Poller").getDeclaredMethod("pollSelector", int.class, long.class);
		pollSelector.setAccessible(true);
		// a virtual thread, so that a wake-up runs on the carrier that runs the handlers, as the JDK's read pollers do
		Thread.ofVirtual().name("readiness-poller").start(() -> {
			MemorySegment events = Arena.global().allocate(EVENT_SIZE * 512L);
			try {
				for (;;) {
					int n = (int) wait.invokeExact(epfd, events, 512, 0);
					if (n == 0) {
						pollSelector.invoke(null, epfd, 0L);
						continue;
					}
					for (int i = 0; i < n; i++) {
						long id = events.get(ValueLayout.JAVA_LONG_UNALIGNED, i * (long) EVENT_SIZE + 4);
						Waiter waiter = waiters.get(id);
						if (waiter != null) {
							waiter.ready = true;
							LockSupport.unpark(waiter.thread);
						}
					}
					// let the handlers just woken run before polling again, so that the next poll finds more
					Thread.yield();
				}
			}
			catch (Throwable ex) {
				ex.printStackTrace();
			}
		});
	}

}
