package dev.gserver.sample;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

import dev.gserver.codec.RespWriter;

/** CLIENT INFO | ID | SETNAME name | GETNAME | SETINFO attribute value. */
final class ClientCommands {

	private ClientCommands() {
	}

	static void client(List<byte[]> command, RespWriter writer, ClientInfo client) throws IOException {
		int arguments = command.size() - 2;
		switch (Arguments.lowerCase(command.get(1))) {
			case "info":
				// a verbatim text in RESP3, as Redis answers it
				writer.verbatim("txt", client.describe());
				break;
			case "id":
				writer.integer(client.getId());
				break;
			case "getname":
				writer.bulk(client.getName().isEmpty() ? null : client.getName().getBytes(StandardCharsets.UTF_8));
				break;
			case "setname":
				if (arguments != 1) {
					Arguments.wrongArity(writer, "client|setname");
					return;
				}
				if (setName(client, command.get(2), writer)) {
					writer.ok();
				}
				break;
			case "setinfo":
				// client libraries announce themselves (lib-name, lib-ver); nothing here uses it
				if (arguments != 2) {
					Arguments.wrongArity(writer, "client|setinfo");
					return;
				}
				writer.ok();
				break;
			default:
				Arguments.unknownSubcommand(writer, command);
		}
	}

	/** Names the client, or answers Redis's error for a name it refuses; returns whether it named it. */
	static boolean setName(ClientInfo client, byte[] bytes, RespWriter writer) throws IOException {
		String name = new String(bytes, StandardCharsets.UTF_8);
		if (name.chars().anyMatch((c) -> c <= ' ' || c > '~')) {
			writer.error("ERR Client names cannot contain spaces, newlines or special characters.");
			return false;
		}
		client.setName(name);
		return true;
	}

}
