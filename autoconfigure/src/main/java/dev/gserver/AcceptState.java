package dev.gserver;

/** Whether a server takes new connections now, and if not, why. */
public enum AcceptState {

	/** Not started yet. */
	NEW,

	/** Accepting connections. */
	ACCEPTING,

	/** Paused by {@link BaseServer#stopAccepting()}: an operator's drain. */
	PAUSED,

	/**
	 * Every pool slot is in use, or the server handles {@link BaseServer#getMaxConnections()}
	 * connections: new ones wait in the backlog until one ends (back-pressure).
	 */
	POOL_FULL,

	/** Pausing after failed accepts or spawns, for the current back-off delay. */
	BACKING_OFF,

	/** Closed by a fatal accept error; see {@link BaseServer#getFatalError()}. */
	FAILED,

	/** Closed or stopped. */
	CLOSED;

	/** Returns whether the server is started and not closed: accepting, or paused for one of the reasons above. */
	public boolean isOpen() {
		return this == ACCEPTING || this == PAUSED || this == POOL_FULL || this == BACKING_OFF;
	}

	/** Returns whether the server was closed: {@link #CLOSED} or {@link #FAILED}. */
	public boolean isClosed() {
		return this == CLOSED || this == FAILED;
	}

}
