package dev.gserver.autoconfigure;

import java.nio.channels.ClosedChannelException;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.gserver.FailingAcceptServer;
import dev.gserver.StreamServer;

/** A user server bean whose first accept fails fatally, as a listener closed under it would. */
@Configuration(proxyBeanMethods = false)
class FailingServerConfiguration {

	@Bean
	StreamServer failingServer() {
		return new FailingAcceptServer((connection) -> {
		}).failNextAccept(new ClosedChannelException());
	}

}
