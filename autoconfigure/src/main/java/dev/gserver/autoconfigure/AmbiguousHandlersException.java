package dev.gserver.autoconfigure;

import java.util.List;

/**
 * Thrown at start-up when more than one {@link dev.gserver.Handler} bean is left for the default
 * server: gserver cannot tell which one it should run.
 */
public class AmbiguousHandlersException extends RuntimeException {

	private final List<String> handlerBeans;

	AmbiguousHandlersException(List<String> handlerBeans) {
		super("The default gserver server needs one Handler bean, but " + handlerBeans.size()
				+ " are not claimed by any other server: " + handlerBeans);
		this.handlerBeans = handlerBeans;
	}

	/** Returns the names of the Handler beans no server claims. */
	public List<String> getHandlerBeans() {
		return this.handlerBeans;
	}

}
