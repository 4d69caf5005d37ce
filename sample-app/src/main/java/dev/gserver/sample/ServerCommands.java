package dev.gserver.sample;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

import org.jspecify.annotations.Nullable;

import dev.gserver.codec.RespWriter;

/**
 * The connection and server commands: SELECT, DBSIZE, FLUSHDB, FLUSHALL, INFO, CONFIG GET, COMMAND
 * and HELLO, answered as Redis 7 answers them, with what a server of one database and no
 * persistence has to say.
 */
final class ServerCommands {

	/** The Redis version the sample answers as: the one whose commands and replies it follows. */
	static final String REDIS_VERSION = "7.0.0";

	/**
	 * What CONFIG GET knows: what redis-benchmark asks ({@code save}, {@code appendonly}) and the
	 * number of databases, for clients that check it before SELECT.
	 */
	private static final Map<String, String> CONFIG = Map.of("save", "", "appendonly", "no", "databases", "1");

	private static final String[] CONFIG_ORDER = { "save", "appendonly", "databases" };

	private static final long STARTED_NANOS = System.nanoTime();

	/** Redis's run_id: 40 random hex digits, new each time the server starts. */
	private static final String RUN_ID = runId();

	private final KeyValueStore store;

	private final IntSupplier connectedClients;

	ServerCommands(KeyValueStore store, IntSupplier connectedClients) {
		this.store = store;
		this.connectedClients = connectedClients;
	}

	/** SELECT 0: there is only database 0. */
	void select(List<byte[]> command, RespWriter writer) throws IOException {
		Long index = Arguments.integer(command.get(1), writer);
		if (index == null) {
			return;
		}
		if (index != (int) (long) index) {
			writer.error(Arguments.NOT_AN_INTEGER);
		}
		else if (index != 0) {
			writer.error("ERR DB index is out of range");
		}
		else {
			writer.ok();
		}
	}

	void dbsize(RespWriter writer) throws IOException {
		writer.integer(this.store.size());
	}

	/** FLUSHDB and FLUSHALL [ASYNC | SYNC]: one database, so both clear it all. */
	void flush(List<byte[]> command, RespWriter writer) throws IOException {
		if (command.size() > 2 || (command.size() == 2 && !Arguments.is(command.get(1), "async")
				&& !Arguments.is(command.get(1), "sync"))) {
			writer.error(Arguments.SYNTAX_ERROR);
			return;
		}
		this.store.clear();
		writer.ok();
	}

	/**
	 * INFO [section ...]: the sections server, clients and keyspace, in Redis's order and format;
	 * no section, "default", "all" or "everything" is all three, an unknown one adds nothing.
	 */
	void info(List<byte[]> command, RespWriter writer, ClientInfo client) throws IOException {
		boolean all = command.size() == 1;
		boolean server = false;
		boolean clients = false;
		boolean keyspace = false;
		for (int i = 1; i < command.size(); i++) {
			switch (Arguments.lowerCase(command.get(i))) {
				case "default", "all", "everything" -> all = true;
				case "server" -> server = true;
				case "clients" -> clients = true;
				case "keyspace" -> keyspace = true;
				default -> {
					// Redis ignores a section it does not have
				}
			}
		}
		StringBuilder text = new StringBuilder();
		if (all || server) {
			long uptime = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - STARTED_NANOS);
			section(text, "Server").append("redis_version:").append(REDIS_VERSION).append("\r\n")
				.append("redis_git_sha1:00000000\r\n")
				.append("redis_git_dirty:0\r\n")
				.append("redis_mode:standalone\r\n")
				.append("os:").append(System.getProperty("os.name")).append(' ').append(System.getProperty("os.version"))
				.append(' ').append(System.getProperty("os.arch")).append("\r\n")
				.append("arch_bits:64\r\n")
				.append("process_id:").append(ProcessHandle.current().pid()).append("\r\n")
				.append("run_id:").append(RUN_ID).append("\r\n")
				.append("tcp_port:").append(port(client.getLocalAddress())).append("\r\n")
				.append("server_time_usec:").append(TimeUnit.MILLISECONDS.toMicros(System.currentTimeMillis()))
				.append("\r\n")
				.append("uptime_in_seconds:").append(uptime).append("\r\n")
				.append("uptime_in_days:").append(TimeUnit.SECONDS.toDays(uptime)).append("\r\n")
				.append("config_file:\r\n");
		}
		if (all || clients) {
			section(text, "Clients").append("connected_clients:").append(this.connectedClients.getAsInt()).append("\r\n")
				.append("cluster_connections:0\r\n")
				.append("blocked_clients:0\r\n")
				.append("tracking_clients:0\r\n");
		}
		if (all || keyspace) {
			section(text, "Keyspace");
			int keys = this.store.size();
			if (keys > 0) {
				text.append("db0:keys=").append(keys).append(",expires=").append(this.store.volatileSize())
					.append(",avg_ttl=0\r\n");
			}
		}
		writer.verbatim("txt", text.toString());
	}

	/** Sections after the first are set apart by an empty line, as Redis writes them. */
	private static StringBuilder section(StringBuilder text, String name) {
		if (!text.isEmpty()) {
			text.append("\r\n");
		}
		return text.append("# ").append(name).append("\r\n");
	}

	/**
	 * CONFIG GET parameter [parameter ...]: a name without glob characters is looked up in any case
	 * and answered with the name as asked; a pattern matches names in any case. A map of the
	 * matches, each once.
	 */
	void config(List<byte[]> command, RespWriter writer) throws IOException {
		if (!Arguments.is(command.get(1), "get")) {
			Arguments.unknownSubcommand(writer, command);
			return;
		}
		if (command.size() < 3) {
			Arguments.wrongArity(writer, "config|get");
			return;
		}
		Map<String, String> matches = new LinkedHashMap<>(); // name as found -> name to answer with
		for (int i = 2; i < command.size(); i++) {
			String asked = Arguments.text(command.get(i));
			if (!asked.matches("(?s).*[\\[*?].*")) {
				String name = asked.toLowerCase(Locale.ROOT);
				if (CONFIG.containsKey(name)) {
					matches.putIfAbsent(name, asked);
				}
				continue;
			}
			for (String name : CONFIG_ORDER) {
				if (Glob.matches(command.get(i), name.getBytes(StandardCharsets.US_ASCII), true)) {
					matches.putIfAbsent(name, name);
				}
			}
		}
		writer.map(matches.size());
		for (Map.Entry<String, String> match : matches.entrySet()) {
			writer.bulk(match.getValue());
			writer.bulk(CONFIG.get(match.getKey()));
		}
	}

	/**
	 * COMMAND (every command's description), COMMAND COUNT, COMMAND INFO name... and COMMAND DOCS:
	 * redis-cli 7 asks for the docs at start for its hints, and an empty map is the answer of a
	 * server that has none.
	 */
	void command(List<byte[]> command, RespWriter writer) throws IOException {
		Command[] all = Command.values();
		if (command.size() == 1) {
			writer.array(all.length);
			for (Command each : all) {
				describe(each, writer);
			}
			return;
		}
		String subcommand = Arguments.lowerCase(command.get(1));
		switch (subcommand) {
			case "count" -> {
				if (command.size() != 2) {
					Arguments.wrongArity(writer, "command|count");
					return;
				}
				writer.integer(all.length);
			}
			case "docs" -> writer.map(0);
			case "info" -> {
				if (command.size() == 2) {
					writer.array(all.length);
					for (Command each : all) {
						describe(each, writer);
					}
					return;
				}
				writer.array(command.size() - 2);
				for (int i = 2; i < command.size(); i++) {
					Command named = Command.of(command.get(i));
					if (named == null) {
						writer.nullValue();
					}
					else {
						describe(named, writer);
					}
				}
			}
			default -> Arguments.unknownSubcommand(writer, command);
		}
	}

	/**
	 * One command as Redis 7's COMMAND describes it: name, arity, flags, first key, last key, key
	 * step, ACL categories, tips, key specifications and subcommands; the flags and what follows
	 * the key positions are left empty.
	 */
	private static void describe(Command command, RespWriter writer) throws IOException {
		int[] keys = switch (command) {
			case GET, SET, INCR, INCRBY, DECR, DECRBY, SETNX, APPEND, STRLEN, EXPIRE, PEXPIRE, TTL, PTTL, PERSIST, TYPE ->
				new int[] { 1, 1, 1 };
			case DEL, EXISTS, MGET -> new int[] { 1, -1, 1 };
			case MSET -> new int[] { 1, -1, 2 };
			default -> new int[] { 0, 0, 0 };
		};
		writer.array(10);
		writer.bulk(command.lowerCase());
		writer.integer(command.arity());
		writer.set(0);
		for (int position : keys) {
			writer.integer(position);
		}
		writer.set(0);
		writer.set(0);
		writer.array(0);
		writer.array(0);
	}

	/**
	 * HELLO [protover [AUTH username password] [SETNAME name]], as Redis 7's helloCommand: checks
	 * everything before changing anything, then switches the connection's protocol and answers
	 * the server's description in it. Without users or passwords here, the default user's any
	 * password is accepted, as Redis accepts it without requirepass.
	 */
	void hello(List<byte[]> command, RespWriter writer, ClientInfo client) throws IOException {
		int protocol = 0;
		if (command.size() >= 2) {
			long version;
			try {
				version = KeyValueStore.parseInteger(command.get(1));
			}
			catch (NumberFormatException ex) {
				writer.error("ERR Protocol version is not an integer or out of range");
				return;
			}
			if (version < 2 || version > 3) {
				writer.error("NOPROTO unsupported protocol version");
				return;
			}
			protocol = (int) version;
		}
		byte[] name = null;
		byte[] user = null;
		for (int i = 2; i < command.size(); i++) {
			int more = command.size() - 1 - i;
			if (Arguments.is(command.get(i), "AUTH") && more >= 2) {
				user = command.get(i + 1);
				i += 2;
			}
			else if (Arguments.is(command.get(i), "SETNAME") && more >= 1) {
				name = command.get(++i);
			}
			else {
				writer.error("ERR Syntax error in HELLO option '" + Arguments.printable(command.get(i)) + "'");
				return;
			}
		}
		if (user != null && !Arguments.text(user).equals("default")) {
			writer.error("WRONGPASS invalid username-password pair or user is disabled.");
			return;
		}
		if (name != null && !ClientCommands.setName(client, name, writer)) {
			return;
		}
		if (protocol != 0) {
			writer.setProtocol(protocol);
			client.setProtocol(protocol);
		}
		writer.map(7);
		writer.bulk("server");
		writer.bulk("redis");
		writer.bulk("version");
		writer.bulk(REDIS_VERSION);
		writer.bulk("proto");
		writer.integer(writer.getProtocol());
		writer.bulk("id");
		writer.integer(client.getId());
		writer.bulk("mode");
		writer.bulk("standalone");
		writer.bulk("role");
		writer.bulk("master");
		writer.bulk("modules");
		writer.array(0);
	}

	private static int port(@Nullable SocketAddress address) {
		return (address instanceof InetSocketAddress inet) ? inet.getPort() : 0;
	}

	private static String runId() {
		byte[] bytes = new byte[20];
		new SecureRandom().nextBytes(bytes);
		return HexFormat.of().formatHex(bytes);
	}

}
