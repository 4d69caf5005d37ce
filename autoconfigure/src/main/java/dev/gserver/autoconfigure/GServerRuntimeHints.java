package dev.gserver.autoconfigure;

import org.jspecify.annotations.Nullable;

import org.springframework.aot.hint.MemberCategory;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.RuntimeHintsRegistrar;
import org.springframework.aot.hint.TypeReference;
import org.springframework.boot.context.properties.bind.BindableRuntimeHintsRegistrar;

/**
 * What gserver reads reflectively, for ahead-of-time processing and native images: the virtual
 * thread builder, which the core (compiled for Java 17) reaches by name; and the per-server
 * properties, which {@link ServerFactory} binds when a server under {@code gserver.servers} is
 * created. Registered in {@code META-INF/spring/aot.factories}.
 */
class GServerRuntimeHints implements RuntimeHintsRegistrar {

	/** {@code Thread.ofVirtual()} and the builder's {@code name(String, long)} and {@code factory()}. */
	static final TypeReference THREAD_BUILDER = TypeReference.of("java.lang.Thread$Builder");

	@Override
	public void registerHints(RuntimeHints hints, @Nullable ClassLoader classLoader) {
		hints.reflection().registerType(Thread.class, MemberCategory.INVOKE_PUBLIC_METHODS);
		hints.reflection().registerType(THREAD_BUILDER, MemberCategory.INVOKE_PUBLIC_METHODS);
		BindableRuntimeHintsRegistrar.forTypes(StreamServerProperties.class).registerHints(hints, classLoader);
	}

}
