package dev.gserver.test;

import java.lang.annotation.Annotation;

import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.config.BeanDefinitionHolder;
import org.springframework.beans.factory.config.DependencyDescriptor;
import org.springframework.beans.factory.support.AutowireCandidateResolver;
import org.springframework.core.MethodParameter;
import org.springframework.core.annotation.AnnotatedElementUtils;

/**
 * Answers a named {@link LocalGServerPort} with {@code ${local.gserver.<name>.port}}, and leaves
 * every other question to the resolver it wraps (Spring's, which reads the {@code @Value} the
 * annotation carries for the default server).
 */
final class LocalGServerPortResolver implements AutowireCandidateResolver {

	private final AutowireCandidateResolver delegate;

	LocalGServerPortResolver(AutowireCandidateResolver delegate) {
		this.delegate = delegate;
	}

	@Override
	public @Nullable Object getSuggestedValue(DependencyDescriptor descriptor) {
		String server = serverName(descriptor.getAnnotations());
		MethodParameter parameter = descriptor.getMethodParameter();
		if (server == null && parameter != null) {
			// a setter annotated as a whole, as Spring looks at a method's @Value
			server = serverName(parameter.getMethodAnnotations());
		}
		if (server == null || server.isEmpty()) {
			return this.delegate.getSuggestedValue(descriptor);
		}
		return "${local.gserver." + server + ".port}";
	}

	/** The server named by a {@link LocalGServerPort} among {@code annotations}, direct or meta; null without one. */
	private static @Nullable String serverName(Annotation[] annotations) {
		if (annotations.length == 0) {
			return null;
		}
		LocalGServerPort port = AnnotatedElementUtils
			.findMergedAnnotation(AnnotatedElementUtils.forAnnotations(annotations), LocalGServerPort.class);
		return (port != null) ? port.value() : null;
	}

	@Override
	public boolean isAutowireCandidate(BeanDefinitionHolder holder, DependencyDescriptor descriptor) {
		return this.delegate.isAutowireCandidate(holder, descriptor);
	}

	@Override
	public boolean isRequired(DependencyDescriptor descriptor) {
		return this.delegate.isRequired(descriptor);
	}

	@Override
	public boolean hasQualifier(DependencyDescriptor descriptor) {
		return this.delegate.hasQualifier(descriptor);
	}

	@Override
	public @Nullable String getSuggestedName(DependencyDescriptor descriptor) {
		return this.delegate.getSuggestedName(descriptor);
	}

	@Override
	public @Nullable Object getLazyResolutionProxyIfNecessary(DependencyDescriptor descriptor,
			@Nullable String beanName) {
		return this.delegate.getLazyResolutionProxyIfNecessary(descriptor, beanName);
	}

	@Override
	public @Nullable Class<?> getLazyResolutionProxyClass(DependencyDescriptor descriptor, @Nullable String beanName) {
		return this.delegate.getLazyResolutionProxyClass(descriptor, beanName);
	}

	@Override
	public AutowireCandidateResolver cloneIfNecessary() {
		AutowireCandidateResolver clone = this.delegate.cloneIfNecessary();
		return (clone == this.delegate) ? this : new LocalGServerPortResolver(clone);
	}

}
