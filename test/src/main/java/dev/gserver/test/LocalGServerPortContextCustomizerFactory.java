package dev.gserver.test;

import java.util.List;

import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.test.context.ContextConfigurationAttributes;
import org.springframework.test.context.ContextCustomizer;
import org.springframework.test.context.ContextCustomizerFactory;
import org.springframework.test.context.MergedContextConfiguration;

/**
 * Installs the {@link LocalGServerPortResolver} in every test context, so that
 * {@code @LocalGServerPort("name")} can be injected; registered in {@code META-INF/spring.factories}.
 */
class LocalGServerPortContextCustomizerFactory implements ContextCustomizerFactory {

	@Override
	public ContextCustomizer createContextCustomizer(Class<?> testClass,
			List<ContextConfigurationAttributes> configAttributes) {
		return new Customizer();
	}

	/**
	 * A record without components: every one equal to every other, so that Spring's cache of test
	 * contexts is not split.
	 */
	record Customizer() implements ContextCustomizer {

		@Override
		public void customizeContext(ConfigurableApplicationContext context, MergedContextConfiguration config) {
			// wrapped once the context sets up its bean factory, so that nothing replaces it later
			context.addBeanFactoryPostProcessor(Customizer::wrapResolver);
		}

		private static void wrapResolver(ConfigurableListableBeanFactory beanFactory) {
			if (beanFactory instanceof DefaultListableBeanFactory factory
					&& !(factory.getAutowireCandidateResolver() instanceof LocalGServerPortResolver)) {
				factory.setAutowireCandidateResolver(new LocalGServerPortResolver(factory.getAutowireCandidateResolver()));
			}
		}

	}

}
