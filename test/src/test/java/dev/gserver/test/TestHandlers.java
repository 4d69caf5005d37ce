package dev.gserver.test;

import java.util.List;

import dev.gserver.Handler;
import dev.gserver.codec.FrameReader;
import dev.gserver.codec.FrameWriter;
import dev.gserver.codec.LengthField;
import dev.gserver.codec.RespReader;
import dev.gserver.codec.RespWriter;

/** The handlers the tests serve: a line echo, a tiny RESP server, a frame reverser. */
final class TestHandlers {

	private TestHandlers() {
	}

	/** Echoes each line; closes after {@code QUIT}. */
	static Handler echo() {
		return (connection) -> {
			FrameReader in = FrameReader.of(connection);
			FrameWriter out = FrameWriter.of(connection);
			for (String line; (line = in.readLine()) != null;) {
				if (line.equals("QUIT")) {
					return;
				}
				out.writeLine(line).flush();
			}
		};
	}

	/** A few Redis commands, each answering with another type of reply. */
	static Handler resp() {
		return (connection) -> {
			RespReader in = RespReader.of(connection);
			RespWriter out = RespWriter.of(connection);
			for (List<byte[]> command; (command = in.readCommand()) != null;) {
				String name = new String(command.get(0)).toUpperCase();
				switch (name) {
					case "PING" -> out.pong();
					case "ECHO" -> out.bulk(command.get(1));
					case "INCR" -> out.integer(1);
					case "GET" -> out.nullBulk();
					case "LIST" -> out.array(2).bulk("a").integer(2);
					case "HELLO" -> {
						out.setProtocol(3);
						out.map(1).bulk("proto").integer(3);
					}
					case "FLAGS" -> out.array(3).bool(true).doubleValue(1.5).nullValue();
					case "QUIT" -> {
						out.ok().flush();
						return;
					}
					default -> out.error("ERR unknown command '" + name + "'");
				}
				out.flushUnlessPipelined(in);
			}
		};
	}

	/** Answers each length-prefixed frame with its bytes reversed. */
	static Handler reverse() {
		return (connection) -> {
			FrameReader in = FrameReader.of(connection);
			FrameWriter out = FrameWriter.of(connection);
			for (byte[] frame; (frame = in.readFrame(LengthField.uint32())) != null;) {
				byte[] reversed = new byte[frame.length];
				for (int i = 0; i < frame.length; i++) {
					reversed[i] = frame[frame.length - 1 - i];
				}
				out.writeFrame(LengthField.uint32(), reversed).flush();
			}
		};
	}

}
