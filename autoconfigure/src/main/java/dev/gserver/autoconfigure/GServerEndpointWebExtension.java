package dev.gserver.autoconfigure;

import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.boot.actuate.endpoint.web.annotation.EndpointWebExtension;

/**
 * The {@code gserver} endpoint over HTTP: {@code POST /actuator/gserver/{name}} answers 404 for a
 * name no server has, where a write operation's {@code null} would be a 204 that looks like
 * success. ({@code GET} answers 404 already: a read operation's {@code null} is one.)
 */
@EndpointWebExtension(endpoint = GServerEndpoint.class)
public class GServerEndpointWebExtension {

	private final GServerEndpoint endpoint;

	public GServerEndpointWebExtension(GServerEndpoint endpoint) {
		this.endpoint = endpoint;
	}

	/**
	 * Pauses ({@code false}) or resumes ({@code true}) accepting on the server {@code name}.
	 * @return the server as it is now, or 404 when there is no such server
	 */
	@WriteOperation
	public WebEndpointResponse<ServerDescriptor> accepting(@Selector String name, boolean accepting) {
		ServerDescriptor server = this.endpoint.accepting(name, accepting);
		return (server != null) ? new WebEndpointResponse<>(server)
				: new WebEndpointResponse<>(WebEndpointResponse.STATUS_NOT_FOUND);
	}

}
