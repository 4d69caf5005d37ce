package dev.gserver.autoconfigure;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.atomic.AtomicBoolean;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.gserver.SocketConnection;
import dev.gserver.StreamServer;

/** A user server bean whose first accept fails fatally, as a listener closed under it would. */
@Configuration(proxyBeanMethods = false)
class FailingServerConfiguration {

	@Bean
	StreamServer failingServer() {
		AtomicBoolean failed = new AtomicBoolean();
		return new StreamServer("127.0.0.1:0", (connection) -> {
		}) {
			@Override
			protected SocketConnection doRead() throws IOException {
				if (failed.compareAndSet(false, true)) {
					throw new ClosedChannelException();
				}
				return super.doRead();
			}
		};
	}

}
