/**
 * The PROXY protocol (v1 and v2), as HAProxy and cloud load balancers send it in front of a
 * connection to tell the original client's address. Plain Java, part of the server core.
 * <p>
 * <b>Public:</b> {@link dev.gserver.proxy.ProxyProtocol} (how a server reads headers: mode,
 * trusted sources, timeout), {@link dev.gserver.proxy.ProxyProtocolMode},
 * {@link dev.gserver.proxy.ProxyHeader} (a parsed header, read with exactly its own bytes
 * consumed), {@link dev.gserver.proxy.ProxyProtocolException} (a refusal and its reason) and
 * {@link dev.gserver.proxy.CidrRange} (trusted sources). <b>Internal:</b> {@code IpLiterals},
 * which parses and writes IP literals without ever asking DNS; it is public only so that
 * {@link dev.gserver.Addresses} can write addresses the same way.
 */
@NullMarked
package dev.gserver.proxy;

import org.jspecify.annotations.NullMarked;
