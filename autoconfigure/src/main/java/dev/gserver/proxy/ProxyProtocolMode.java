package dev.gserver.proxy;

/**
 * Whether a TCP server expects a PROXY protocol header (v1 or v2) in front of each connection,
 * as a load balancer such as HAProxy sends it to tell the original client's address.
 */
public enum ProxyProtocolMode {

	/** No header is read: the connection's addresses are the socket's. */
	OFF,

	/**
	 * A header from a trusted source is read when the connection starts with one; otherwise the
	 * connection's first bytes reach the handler as they came. The server waits for the
	 * client's first bytes, so use it with protocols where the client speaks first.
	 */
	OPTIONAL,

	/** Every connection must start with a header from a trusted source, or it is closed. */
	REQUIRED

}
