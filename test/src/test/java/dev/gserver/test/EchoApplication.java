package dev.gserver.test;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;

import dev.gserver.Handler;

/** An application whose default server echoes lines; the tests name it in {@code @SpringBootTest(classes = ...)}. */
@SpringBootConfiguration
@EnableAutoConfiguration
class EchoApplication {

	@Bean
	Handler echo() {
		return TestHandlers.echo();
	}

}
