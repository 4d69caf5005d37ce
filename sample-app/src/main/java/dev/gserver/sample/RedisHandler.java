package dev.gserver.sample;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.observation.ObservationRegistry;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

import dev.gserver.Connection;
import dev.gserver.Handler;
import dev.gserver.codec.FrameException;
import dev.gserver.codec.FrameException.Reason;
import dev.gserver.codec.RespReader;
import dev.gserver.codec.RespWriter;
import dev.gserver.observation.RequestObservations;

/**
 * Serves one Redis client with blocking reads: the {@link Command}s, answered as Redis 7 answers
 * them (the string commands in {@link StringCommands}, the keyspace ones in {@link KeyCommands},
 * the server's in {@link ServerCommands}), in RESP2 or, after {@code HELLO 3}, RESP3; an unknown
 * command is answered as Redis does. Reads and writes with the core's RESP codec: pipelined
 * commands are answered in one write once the buffered input is used up (or once 32 KiB of
 * replies are held). With {@code sample.observe-commands=true}, each command is a
 * {@code gserver.request} observation tagged with its name, a child of its connection's.
 */
@Component
public class RedisHandler implements Handler {

	private final SampleProperties properties;

	private final StringCommands strings;

	private final KeyCommands keys;

	private final ServerCommands server;

	/** INFO's connected_clients: the handlers running now. */
	private final AtomicInteger connected = new AtomicInteger();

	/** One observation per command, or none at the cost of a check when not asked for. */
	private final RequestObservations commands;

	public RedisHandler(KeyValueStore store, SampleProperties properties, ObjectProvider<ObservationRegistry> registry) {
		this.properties = properties;
		this.commands = new RequestObservations(properties.isObserveCommands()
				? registry.getIfAvailable(() -> ObservationRegistry.NOOP) : ObservationRegistry.NOOP);
		this.strings = new StringCommands(store);
		this.keys = new KeyCommands(store);
		this.server = new ServerCommands(store, this.connected::get);
	}

	@Override
	public void handle(Connection connection) throws IOException {
		RespReader reader = RespReader.of(connection)
			.maxBulkLength(this.properties.getMaxBulkLength().toBytes())
			.maxRequestSize(this.properties.getMaxRequestSize().toBytes());
		RespWriter writer = RespWriter.of(connection);
		ClientInfo client = new ClientInfo(connection);
		this.connected.incrementAndGet();
		try {
			List<byte[]> command;
			while ((command = reader.readCommand()) != null) {
				if (command.isEmpty()) {
					writer.flushUnlessPipelined(reader);
					continue;
				}
				if (execute(command, writer, client)) {
					writer.flush();
					return;
				}
				writer.flushUnlessPipelined(reader);
			}
		}
		catch (FrameException ex) {
			// the client went away in the middle of a command: nobody to answer
			if (ex.getReason() != Reason.TRUNCATED) {
				writer.error("ERR Protocol error: " + ex.getMessage());
				writer.flush();
			}
		}
		finally {
			this.connected.decrementAndGet();
			writer.flush();
		}
	}

	/** Runs one command and writes its reply, observed under its name; returns whether the client asked to quit. */
	private boolean execute(List<byte[]> command, RespWriter writer, ClientInfo client) throws IOException {
		Command name = Command.of(command.get(0));
		// never the name a client sent: an unknown one would be a new tag value per typo
		String observed = (name != null) ? name.lowerCase() : "unknown";
		return this.commands.observe(observed, () -> execute(name, command, writer, client));
	}

	private boolean execute(@Nullable Command name, List<byte[]> command, RespWriter writer, ClientInfo client)
			throws IOException {
		if (name == null) {
			unknown(command, writer);
			return false;
		}
		// as Redis checks the arity before it runs a command, so that each one sees the count it expects
		if (!name.acceptsArgumentCount(command.size())) {
			Arguments.wrongArity(writer, name.lowerCase());
			return false;
		}
		switch (name) {
			case PING -> {
				if (command.size() > 2) {
					Arguments.wrongArity(writer, "ping");
				}
				else if (command.size() == 2) {
					writer.bulk(command.get(1));
				}
				else {
					writer.pong();
				}
			}
			case ECHO -> writer.bulk(command.get(1));
			case GET -> this.strings.get(command, writer);
			case SET -> this.strings.set(command, writer);
			case INCR, INCRBY -> this.strings.incrementBy(command, writer, 1);
			case DECR, DECRBY -> this.strings.incrementBy(command, writer, -1);
			case MGET -> this.strings.mget(command, writer);
			case MSET -> this.strings.mset(command, writer);
			case SETNX -> this.strings.setnx(command, writer);
			case APPEND -> this.strings.append(command, writer);
			case STRLEN -> this.strings.strlen(command, writer);
			case DEL -> this.keys.delOrExists(command, writer, true);
			case EXISTS -> this.keys.delOrExists(command, writer, false);
			case EXPIRE -> this.keys.expire(command, writer, true);
			case PEXPIRE -> this.keys.expire(command, writer, false);
			case TTL -> this.keys.ttl(command, writer, true);
			case PTTL -> this.keys.ttl(command, writer, false);
			case PERSIST -> this.keys.persist(command, writer);
			case TYPE -> this.keys.type(command, writer);
			case KEYS -> this.keys.keys(command, writer);
			case SCAN -> this.keys.scan(command, writer);
			case SELECT -> this.server.select(command, writer);
			case DBSIZE -> this.server.dbsize(writer);
			case FLUSHDB, FLUSHALL -> this.server.flush(command, writer);
			case INFO -> this.server.info(command, writer, client);
			case CONFIG -> this.server.config(command, writer);
			case COMMAND -> this.server.command(command, writer);
			case HELLO -> this.server.hello(command, writer, client);
			case CLIENT -> ClientCommands.client(command, writer, client);
			case QUIT -> {
				writer.ok();
				return true;
			}
		}
		return false;
	}

	/** Answers as Redis 7 does: {@code ERR unknown command 'foo', with args beginning with: 'a' 'b' } */
	private static void unknown(List<byte[]> command, RespWriter writer) throws IOException {
		StringBuilder message = new StringBuilder("ERR unknown command '")
			.append(Arguments.printable(command.get(0)))
			.append("', with args beginning with: ");
		for (int i = 1; i < command.size() && message.length() < 128; i++) {
			message.append('\'').append(Arguments.printable(command.get(i))).append("' ");
		}
		writer.error(message.toString());
	}

}
