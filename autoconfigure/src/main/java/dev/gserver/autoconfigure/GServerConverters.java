package dev.gserver.autoconfigure;

import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.bind.PropertySourcesPlaceholdersResolver;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.convert.ApplicationConversionService;
import org.springframework.core.convert.converter.Converter;
import org.springframework.core.env.Environment;

import dev.gserver.Spawn;
import dev.gserver.proxy.CidrRange;

/**
 * Converts the property values that name a gserver type, so that each is parsed once, as it is
 * bound, and a bad one fails the binding with the property's name.
 */
final class GServerConverters {

	private GServerConverters() {
	}

	/** A binder over {@code environment} that knows gserver's types, for binding before the context's beans exist. */
	static Binder binder(Environment environment) {
		ApplicationConversionService conversion = new ApplicationConversionService();
		conversion.addConverter(new StringToSpawn());
		conversion.addConverter(new StringToCidrRange());
		return new Binder(ConfigurationPropertySources.get(environment), new PropertySourcesPlaceholdersResolver(environment),
				conversion);
	}

	/** {@code default}, {@code raw}, {@code none} or a pool size. */
	static final class StringToSpawn implements Converter<String, Spawn> {

		@Override
		public Spawn convert(String source) {
			return Spawn.parse(source);
		}

	}

	/** An address range such as {@code 10.0.0.0/8}. */
	static final class StringToCidrRange implements Converter<String, CidrRange> {

		@Override
		public CidrRange convert(String source) {
			return CidrRange.parse(source);
		}

	}

}
