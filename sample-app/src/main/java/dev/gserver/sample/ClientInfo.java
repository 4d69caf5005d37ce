package dev.gserver.sample;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.jspecify.annotations.Nullable;

import dev.gserver.Addresses;
import dev.gserver.Connection;

/**
 * What {@code CLIENT INFO} tells about one client, in Redis's words: its id, its address as
 * the server sees it ({@code addr}, the original client's behind a PROXY-protocol load
 * balancer), the address it connected to ({@code laddr}), its age and name.
 */
final class ClientInfo {

	private static final AtomicLong NEXT_ID = new AtomicLong(1);

	private final long id = NEXT_ID.getAndIncrement();

	private final long createdNanos = System.nanoTime();

	private final Connection connection;

	private String name = "";

	private int protocol = 2;

	ClientInfo(Connection connection) {
		this.connection = connection;
	}

	long getId() {
		return this.id;
	}

	String getName() {
		return this.name;
	}

	void setName(String name) {
		this.name = name;
	}

	/** The RESP version HELLO chose: {@code resp=} in CLIENT INFO. */
	void setProtocol(int protocol) {
		this.protocol = protocol;
	}

	java.net.@Nullable SocketAddress getLocalAddress() {
		return this.connection.getLocalAddress();
	}

	/** One line as Redis 7 writes it, with the fields a server without Redis's internals can fill. */
	String describe() {
		long age = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - this.createdNanos);
		return "id=" + this.id + " addr=" + Addresses.format(this.connection.getRemoteAddress()) + " laddr="
				+ Addresses.format(this.connection.getLocalAddress()) + " fd=-1 name=" + this.name + " age=" + age
				+ " idle=0 flags=N db=0 sub=0 psub=0 multi=-1 cmd=client|info user=default resp="
				+ this.protocol + "\n";
	}

}
