package dev.gserver;

import java.lang.reflect.Method;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Where handler threads come from: virtual threads when the running JVM has them (21+),
 * platform daemon threads otherwise. The code is compiled for Java 17, so the virtual thread
 * builder is reached by reflection, once per factory and never per thread.
 */
final class Threads {

	private static final Method OF_VIRTUAL = findOfVirtual();

	private Threads() {
	}

	/** Returns whether handlers run on virtual threads in this JVM. */
	static boolean virtual() {
		return OF_VIRTUAL != null;
	}

	/** Returns a factory of handler threads named {@code prefix1}, {@code prefix2}, ... */
	static ThreadFactory named(String prefix) {
		if (OF_VIRTUAL != null) {
			return virtualFactory(prefix);
		}
		AtomicLong counter = new AtomicLong();
		return (task) -> daemon(new Thread(task, prefix + counter.incrementAndGet()));
	}

	/** Returns a factory of handler threads without a name of their own: the cheapest. */
	static ThreadFactory unnamed() {
		if (OF_VIRTUAL != null) {
			return virtualFactory(null);
		}
		return (task) -> daemon(new Thread(task));
	}

	private static Thread daemon(Thread thread) {
		// like virtual threads, handler threads alone do not keep the JVM alive: the accept thread does
		thread.setDaemon(true);
		return thread;
	}

	private static ThreadFactory virtualFactory(String prefix) {
		try {
			Object builder = OF_VIRTUAL.invoke(null);
			Class<?> builderType = Class.forName("java.lang.Thread$Builder");
			if (prefix != null) {
				builder = builderType.getMethod("name", String.class, long.class).invoke(builder, prefix, 1L);
			}
			return (ThreadFactory) builderType.getMethod("factory").invoke(builder);
		}
		catch (ReflectiveOperationException ex) {
			throw new IllegalStateException("Virtual threads are present but could not be created", ex);
		}
	}

	private static Method findOfVirtual() {
		try {
			return Thread.class.getMethod("ofVirtual");
		}
		catch (NoSuchMethodException ex) {
			return null;
		}
	}

}
