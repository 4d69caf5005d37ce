package dev.gserver;

import java.lang.reflect.Method;

/** Thread facts the tests check on every JVM they run on. */
public final class TestThreads {

	private TestThreads() {
	}

	/** {@code Thread.isVirtual()}, which Java 17 does not have: false there. */
	public static boolean isVirtual(Thread thread) throws ReflectiveOperationException {
		Method isVirtual;
		try {
			isVirtual = Thread.class.getMethod("isVirtual");
		}
		catch (NoSuchMethodException ex) {
			return false;
		}
		return (boolean) isVirtual.invoke(thread);
	}

}
