package dev.gserver;

import java.lang.management.ManagementFactory;

/**
 * What every fuzz test shares: a seed that is printed and can be set again with
 * {@code -Dgserver.fuzz.seed} to replay a failure, a case budget ({@code -Dgserver.fuzz.cases},
 * 20,000 by default), and this thread's allocation, so that a test can see that what a reader
 * allocates follows the bytes it received and not a length it was told.
 */
public final class Fuzz {

	/** How many cases a fuzz test runs, unless its time cap for a slow machine comes first. */
	public static final int CASES = Integer.getInteger("gserver.fuzz.cases", 20_000);

	private static final com.sun.management.ThreadMXBean THREADS = (com.sun.management.ThreadMXBean) ManagementFactory
		.getThreadMXBean();

	private Fuzz() {
	}

	/** Returns {@code -Dgserver.fuzz.seed}, else {@code defaultSeed}, and prints how to replay with it. */
	public static long seed(Class<?> test, long defaultSeed) {
		long seed = Long.getLong("gserver.fuzz.seed", defaultSeed);
		System.out.println(test.getSimpleName() + " seed=" + seed + " (replay with -Dgserver.fuzz.seed=" + seed + ")");
		return seed;
	}

	/** Turns on counting this thread's allocation; returns whether this JVM can. */
	public static boolean measureAllocation() {
		if (!THREADS.isThreadAllocatedMemorySupported()) {
			return false;
		}
		THREADS.setThreadAllocatedMemoryEnabled(true);
		return true;
	}

	/** Returns how many bytes the calling thread has allocated so far. */
	public static long allocatedBytes() {
		return THREADS.getThreadAllocatedBytes(Thread.currentThread().getId());
	}

}
