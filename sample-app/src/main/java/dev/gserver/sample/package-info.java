/**
 * The sample application: a Redis-compatible key-value server ({@code RedisHandler} on the
 * core's RESP codec, {@code dev.gserver.codec.RespReader} and {@code RespWriter}) built on the
 * gserver starter, with its properties ({@code SampleProperties}) and the per-connection client
 * state ({@code ClientInfo}); and a line-based chat room ({@code ChatHandler}, on the core's
 * {@code FrameReader} and {@code dev.gserver.ConnectionGroup}).
 */
@NullMarked
package dev.gserver.sample;

import org.jspecify.annotations.NullMarked;
