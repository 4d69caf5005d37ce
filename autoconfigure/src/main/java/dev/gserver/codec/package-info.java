/**
 * Framing codecs for handlers: blocking readers and writers over a {@link dev.gserver.Connection}'s
 * streams, bounded by default and safe against hostile lengths. Plain Java, part of the core.
 * <p>
 * <b>Public:</b> {@link dev.gserver.codec.FrameReader} (lines, delimited frames, length-prefixed
 * frames, exact reads; limits, charset, frame timeout), {@link dev.gserver.codec.FrameWriter}
 * (buffered, flushing past a bound), {@link dev.gserver.codec.LengthField} (how a frame declares
 * its length), {@link dev.gserver.codec.LineEnding}, and {@link dev.gserver.codec.FrameException}
 * (every refusal, with its reason); {@link dev.gserver.codec.RespReader} and
 * {@link dev.gserver.codec.RespWriter} (Redis's protocol, RESP2 and RESP3, with Redis's limits).
 */
@NullMarked
package dev.gserver.codec;

import org.jspecify.annotations.NullMarked;
