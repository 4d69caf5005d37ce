package dev.gserver.autoconfigure;

import org.junit.jupiter.api.Test;

import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.RuntimeHintsRegistrar;
import org.springframework.aot.hint.predicate.RuntimeHintsPredicates;
import org.springframework.core.io.support.SpringFactoriesLoader;

import static org.assertj.core.api.Assertions.assertThat;

/** The hints ahead-of-time processing gets for what gserver reads reflectively, found as Spring finds them. */
class GServerRuntimeHintsTest {

	private final RuntimeHints hints = new RuntimeHints();

	GServerRuntimeHintsTest() {
		SpringFactoriesLoader.forResourceLocation("META-INF/spring/aot.factories")
			.load(RuntimeHintsRegistrar.class)
			.forEach((registrar) -> registrar.registerHints(this.hints, getClass().getClassLoader()));
	}

	@Test
	void theVirtualThreadBuilderIsReachableByReflection() {
		assertThat(RuntimeHintsPredicates.reflection().onType(Thread.class)).accepts(this.hints);
		assertThat(RuntimeHintsPredicates.reflection().onType(GServerRuntimeHints.THREAD_BUILDER)).accepts(this.hints);
		assertThat(this.hints.reflection().getTypeHint(GServerRuntimeHints.THREAD_BUILDER).getMemberCategories())
			.contains(org.springframework.aot.hint.MemberCategory.INVOKE_PUBLIC_METHODS);
	}

	@Test
	void thePerServerPropertiesCanBeBoundWhenAServerIsCreated() {
		assertThat(RuntimeHintsPredicates.reflection().onMethodInvocation(StreamServerProperties.class, "setPort"))
			.accepts(this.hints);
		assertThat(RuntimeHintsPredicates.reflection().onMethodInvocation(StreamServerProperties.ProxyProtocol.class,
				"setTrusted"))
			.accepts(this.hints);
	}

}
