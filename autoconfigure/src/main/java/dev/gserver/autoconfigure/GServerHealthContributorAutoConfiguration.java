package dev.gserver.autoconfigure;

import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.HealthContributor;
import org.springframework.context.annotation.Bean;

import dev.gserver.BaseServer;

/**
 * The {@code gserver} health contributor: the health of the one server, or one entry per server
 * (by bean name) when there are several. {@code management.health.gserver.enabled} turns it off.
 */
@AutoConfiguration(after = GServerAutoConfiguration.class)
@ConditionalOnClass(HealthContributor.class)
@ConditionalOnBean(GServerLifecycle.class)
@ConditionalOnEnabledHealthIndicator("gserver")
public final class GServerHealthContributorAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean(name = { "gserverHealthIndicator", "gserverHealthContributor" })
	HealthContributor gserverHealthContributor(ListableBeanFactory beanFactory) {
		Map<String, BaseServer<?, ?>> servers = ServerBeans.find(beanFactory);
		if (servers.size() == 1) {
			Map.Entry<String, BaseServer<?, ?>> only = servers.entrySet().iterator().next();
			return new GServerHealthIndicator(only.getKey(), only.getValue());
		}
		Map<String, HealthContributor> contributors = new LinkedHashMap<>();
		servers.forEach((name, server) -> contributors.put(name, new GServerHealthIndicator(name, server)));
		return CompositeHealthContributor.fromMap(contributors);
	}

}
