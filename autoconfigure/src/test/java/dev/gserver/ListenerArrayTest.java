package dev.gserver;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ListenerArrayTest {

	@Test
	void addsAndRemovesByIdentityKeepingOrder() {
		ListenerArray<String> listeners = new ListenerArray<>(new String[0]);
		String a = new String("a");
		String b = new String("b");
		String c = new String("c");
		listeners.add(a);
		listeners.add(b);
		listeners.add(c);
		assertThat(listeners.get()).containsExactly(a, b, c);
		listeners.remove(new String("b"));
		assertThat(listeners.get()).containsExactly(a, b, c);
		listeners.remove(b);
		assertThat(listeners.get()).containsExactly(a, c);
		listeners.remove(a);
		listeners.remove(c);
		assertThat(listeners.get()).isEmpty();
	}

	@Test
	void aSnapshotDoesNotChangeWhenTheListenersDo() {
		ListenerArray<Runnable> listeners = new ListenerArray<>(new Runnable[0]);
		Runnable first = () -> {
		};
		listeners.add(first);
		Runnable[] snapshot = listeners.get();
		listeners.add(() -> {
		});
		assertThat(snapshot).containsExactly(first);
		assertThat(listeners.get()).hasSize(2);
	}

}
