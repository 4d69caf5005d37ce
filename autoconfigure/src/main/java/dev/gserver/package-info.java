/**
 * gserver's server core: gevent's server model in plain Java, with no Spring in it.
 * <p>
 * <b>Public:</b> the servers ({@link dev.gserver.BaseServer}, {@link dev.gserver.StreamServer}
 * for TCP and Unix sockets, {@link dev.gserver.DatagramServer} for UDP), what a handler sees
 * ({@link dev.gserver.Handler}, {@link dev.gserver.Connection}, {@link dev.gserver.SocketConnection},
 * {@link dev.gserver.DatagramHandler}, {@link dev.gserver.Datagram}), how handlers run
 * ({@link dev.gserver.Spawn}, {@link dev.gserver.Pool}), what a server reports
 * ({@link dev.gserver.AcceptState}, {@link dev.gserver.ServerEventListener}), what surrounds each
 * handler run ({@link dev.gserver.ConnectionObserver}), the transports'
 * contract ({@link dev.gserver.Client}), and gevent's address strings
 * ({@link dev.gserver.Addresses}, {@link dev.gserver.PortInUseException}), bad input
 * ({@link dev.gserver.ProtocolException}), and broadcasting to many connections
 * ({@link dev.gserver.ConnectionGroup}).
 * <p>
 * <b>Internal</b> (package-private), one class per concept: {@code AcceptLoop} is gevent's hub
 * (the selector, the accept thread and the accept state) and {@code Backoff} its pause after
 * failures; {@code ClientTask}, {@code Task} and {@code TaskGroup} run, track and stop handlers;
 * {@code ServerSettings} and {@code StreamSettings} hold what a server is configured with, and
 * {@code BaseServer} and {@code StreamServer} extend them to run it; {@code ServerEvents} and
 * {@code Counters} dispatch and count events; {@code ClientInput}, {@code ClientOutput} and
 * {@code Deadlines} bound a connection's reads and writes; {@code Listeners} and
 * {@code UnixSocketFile} bind listeners; {@code TlsHandshake} and {@code TlsFailures} secure
 * connections; {@code Threads}, {@code ListenerArray} and {@code Durations} are small helpers.
 * <p>
 * One connection's way: the accept thread ({@code AcceptLoop}) reserves room
 * ({@link dev.gserver.Spawn}), takes the client from the transport ({@code doRead}) and spawns a
 * {@code ClientTask}, which readies the client on its own thread ({@code prepare}: PROXY
 * header, TLS handshake), runs the {@link dev.gserver.Handler}, closes the client and reports
 * the outcome to the {@link dev.gserver.ServerEventListener}s.
 */
@NullMarked
package dev.gserver;

import org.jspecify.annotations.NullMarked;
