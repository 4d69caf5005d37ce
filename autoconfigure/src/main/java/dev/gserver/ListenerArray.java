package dev.gserver;

import java.util.Arrays;

/**
 * Listeners kept in an array that is copied on change: iterating it on a hot path takes one
 * volatile read and allocates nothing, and changes are rare.
 */
final class ListenerArray<T> {

	private volatile T[] listeners;

	ListenerArray(T[] empty) {
		this.listeners = empty;
	}

	synchronized void add(T listener) {
		T[] copy = Arrays.copyOf(this.listeners, this.listeners.length + 1);
		copy[copy.length - 1] = listener;
		this.listeners = copy;
	}

	synchronized void remove(T listener) {
		T[] current = this.listeners;
		for (int i = 0; i < current.length; i++) {
			if (current[i] == listener) {
				T[] copy = Arrays.copyOf(current, current.length - 1);
				System.arraycopy(current, i + 1, copy, i, current.length - i - 1);
				this.listeners = copy;
				return;
			}
		}
	}

	/** Returns the current listeners; the caller must not change the array. */
	T[] get() {
		return this.listeners;
	}

}
