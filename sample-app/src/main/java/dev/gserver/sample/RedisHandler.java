package dev.gserver.sample;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import org.springframework.stereotype.Component;

import dev.gserver.Connection;
import dev.gserver.Handler;
import dev.gserver.codec.FrameException;
import dev.gserver.codec.FrameException.Reason;
import dev.gserver.codec.RespReader;
import dev.gserver.codec.RespWriter;

/**
 * Serves one Redis client with blocking reads: PING, ECHO, SET (EX/PX), GET, DEL, EXISTS, INCR,
 * DBSIZE, FLUSHALL, CLIENT (INFO, ID, SETNAME, GETNAME, SETINFO) and QUIT, answering the rest as
 * Redis does. Reads and writes with the core's RESP codec: pipelined commands are answered in one
 * write once the buffered input is used up (or once 32 KiB of replies are held).
 */
@Component
public class RedisHandler implements Handler {

	private final KeyValueStore store;

	private final SampleProperties properties;

	public RedisHandler(KeyValueStore store, SampleProperties properties) {
		this.store = store;
		this.properties = properties;
	}

	@Override
	public void handle(Connection connection) throws IOException {
		RespReader reader = RespReader.of(connection)
			.maxBulkLength(this.properties.getMaxBulkLength().toBytes())
			.maxRequestSize(this.properties.getMaxRequestSize().toBytes());
		RespWriter writer = RespWriter.of(connection);
		ClientInfo client = new ClientInfo(connection);
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
			writer.flush();
		}
	}

	/** Runs one command and writes its reply; returns whether the client asked to quit. */
	private boolean execute(List<byte[]> command, RespWriter writer, ClientInfo client) throws IOException {
		Command name = Command.of(command.get(0));
		if (name == null) {
			unknown(command, writer);
			return false;
		}
		int arguments = command.size() - 1;
		switch (name) {
			case PING:
				if (arguments == 0) {
					writer.pong();
				}
				else if (arguments == 1) {
					writer.bulk(command.get(1));
				}
				else {
					wrongArity(writer, name);
				}
				return false;
			case ECHO:
				if (arguments != 1) {
					wrongArity(writer, name);
				}
				else {
					writer.bulk(command.get(1));
				}
				return false;
			case GET:
				if (arguments != 1) {
					wrongArity(writer, name);
				}
				else {
					writer.bulk(this.store.get(command.get(1)));
				}
				return false;
			case SET:
				set(command, writer);
				return false;
			case DEL:
			case EXISTS:
				if (arguments < 1) {
					wrongArity(writer, name);
					return false;
				}
				long count = 0;
				for (int i = 1; i < command.size(); i++) {
					count += ((name == Command.DEL) ? this.store.delete(command.get(i)) : this.store.exists(command.get(i)))
							? 1 : 0;
				}
				writer.integer(count);
				return false;
			case INCR:
				if (arguments != 1) {
					wrongArity(writer, name);
					return false;
				}
				try {
					writer.integer(this.store.increment(command.get(1)));
				}
				catch (NumberFormatException ex) {
					writer.error("ERR value is not an integer or out of range");
				}
				catch (ArithmeticException ex) {
					writer.error("ERR increment or decrement would overflow");
				}
				return false;
			case DBSIZE:
				if (arguments != 0) {
					wrongArity(writer, name);
				}
				else {
					writer.integer(this.store.size());
				}
				return false;
			case FLUSHALL:
				this.store.clear();
				writer.ok();
				return false;
			case CLIENT:
				client(command, writer, client);
				return false;
			case QUIT:
				writer.ok();
				return true;
			default:
				throw new IllegalStateException("No case for " + name);
		}
	}

	/** SET key value [EX seconds | PX milliseconds] */
	private void set(List<byte[]> command, RespWriter writer) throws IOException {
		if (command.size() < 3) {
			wrongArity(writer, "set");
			return;
		}
		long expiresAt = 0;
		for (int i = 3; i < command.size(); i++) {
			String option = new String(command.get(i), StandardCharsets.ISO_8859_1).toUpperCase(Locale.ROOT);
			boolean seconds = option.equals("EX");
			if ((!seconds && !option.equals("PX")) || i + 1 >= command.size() || expiresAt != 0) {
				writer.error("ERR syntax error");
				return;
			}
			long amount;
			try {
				amount = KeyValueStore.parseInteger(command.get(++i));
			}
			catch (NumberFormatException ex) {
				writer.error("ERR value is not an integer or out of range");
				return;
			}
			if (amount <= 0 || amount > TimeUnit.DAYS.toMillis(365L * 100)) {
				writer.error("ERR invalid expire time in 'set' command");
				return;
			}
			expiresAt = System.nanoTime() + (seconds ? TimeUnit.SECONDS.toNanos(amount) : TimeUnit.MILLISECONDS.toNanos(amount));
			if (expiresAt == 0) {
				expiresAt = 1;
			}
		}
		this.store.set(command.get(1), command.get(2), expiresAt);
		writer.ok();
	}

	/** CLIENT INFO | ID | SETNAME name | GETNAME | SETINFO attribute value */
	private static void client(List<byte[]> command, RespWriter writer, ClientInfo client) throws IOException {
		if (command.size() < 2) {
			wrongArity(writer, "client");
			return;
		}
		String subcommand = new String(command.get(1), StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT);
		int arguments = command.size() - 2;
		switch (subcommand) {
			case "info":
				writer.bulk(client.describe().getBytes(StandardCharsets.UTF_8));
				break;
			case "id":
				writer.integer(client.getId());
				break;
			case "getname":
				writer.bulk(client.getName().isEmpty() ? null : client.getName().getBytes(StandardCharsets.UTF_8));
				break;
			case "setname":
				if (arguments != 1) {
					wrongArity(writer, "client|setname");
					return;
				}
				String name = new String(command.get(2), StandardCharsets.UTF_8);
				if (name.chars().anyMatch((c) -> c <= ' ' || c > '~')) {
					writer.error("ERR Client names cannot contain spaces, newlines or special characters.");
					return;
				}
				client.setName(name);
				writer.ok();
				break;
			case "setinfo":
				// client libraries announce themselves (lib-name, lib-ver); nothing here uses it
				if (arguments != 2) {
					wrongArity(writer, "client|setinfo");
					return;
				}
				writer.ok();
				break;
			default:
				writer.error("ERR unknown subcommand '" + printable(command.get(1)) + "'. Try CLIENT HELP.");
		}
	}

	private static void wrongArity(RespWriter writer, Command command) throws IOException {
		wrongArity(writer, command.lowerCase());
	}

	private static void wrongArity(RespWriter writer, String name) throws IOException {
		writer.error("ERR wrong number of arguments for '" + name + "' command");
	}

	/** Answers as Redis 7 does: {@code ERR unknown command 'foo', with args beginning with: 'a' 'b' } */
	private static void unknown(List<byte[]> command, RespWriter writer) throws IOException {
		StringBuilder message = new StringBuilder("ERR unknown command '")
			.append(printable(command.get(0)))
			.append("', with args beginning with: ");
		for (int i = 1; i < command.size() && message.length() < 128; i++) {
			message.append('\'').append(printable(command.get(i))).append("' ");
		}
		writer.error(message.toString());
	}

	private static String printable(byte[] bytes) {
		String text = new String(bytes, 0, Math.min(bytes.length, 128), StandardCharsets.ISO_8859_1);
		return text.replaceAll("[\\r\\n]", " ");
	}

}
