package dev.gserver;

import java.lang.reflect.Method;
import java.util.Objects;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicLong;

import org.jspecify.annotations.Nullable;

/**
 * Where handler threads come from: virtual threads when the running JVM has them (21+),
 * platform daemon threads otherwise. The code is compiled for Java 17, so the virtual thread
 * builder is reached by reflection, once per factory and never per thread.
 */
final class Threads {

	private static final @Nullable Method OF_VIRTUAL = findOfVirtual();

	/** Unnamed virtual threads where the JVM has them, else null. */
	private static final @Nullable ThreadFactory UNNAMED_VIRTUAL = (OF_VIRTUAL != null) ? virtualFactory(null) : null;

	/** Unnamed platform daemon threads. */
	private static final ThreadFactory UNNAMED_PLATFORM = new Platform(null);

	private Threads() {
	}

	/** Returns a factory of handler threads named {@code prefix1}, {@code prefix2}, ... */
	static ThreadFactory named(String prefix) {
		return named(prefix, true);
	}

	/**
	 * Returns a factory of threads named {@code prefix1}, {@code prefix2}, ...: virtual when
	 * {@code virtualWanted} and the JVM has them, platform daemon threads otherwise.
	 */
	static ThreadFactory named(String prefix, boolean virtualWanted) {
		return (virtualWanted && OF_VIRTUAL != null) ? virtualFactory(prefix) : new Platform(prefix);
	}

	/** Returns whether {@code threads} (from this class) makes virtual threads. */
	static boolean isVirtual(ThreadFactory threads) {
		return OF_VIRTUAL != null && !(threads instanceof Platform);
	}

	/** Returns a factory of threads without a name of their own, the cheapest, of the same kind as {@code threads}. */
	static ThreadFactory unnamedLike(ThreadFactory threads) {
		ThreadFactory virtual = UNNAMED_VIRTUAL;
		return (virtual != null && isVirtual(threads)) ? virtual : UNNAMED_PLATFORM;
	}

	/** Platform daemon threads: like virtual threads, handler threads alone do not keep the JVM alive, the accept thread does. */
	private static final class Platform implements ThreadFactory {

		private final @Nullable String prefix;

		private final AtomicLong counter = new AtomicLong();

		Platform(@Nullable String prefix) {
			this.prefix = prefix;
		}

		@Override
		public Thread newThread(Runnable task) {
			Thread thread = (this.prefix != null) ? new Thread(task, this.prefix + this.counter.incrementAndGet())
					: new Thread(task);
			thread.setDaemon(true);
			return thread;
		}

	}

	private static ThreadFactory virtualFactory(@Nullable String prefix) {
		try {
			// called only when the JVM has virtual threads
			Object builder = Objects.requireNonNull(OF_VIRTUAL).invoke(null);
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

	private static @Nullable Method findOfVirtual() {
		try {
			return Thread.class.getMethod("ofVirtual");
		}
		catch (NoSuchMethodException ex) {
			return null;
		}
	}

}
