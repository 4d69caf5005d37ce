package dev.gserver.observation;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.util.Locale;

import io.micrometer.common.KeyValue;
import io.micrometer.common.KeyValues;

import dev.gserver.Addresses;
import dev.gserver.ServerEventListener.HandlerOutcome;

/**
 * gserver's {@code gserver.connection} convention. Low-cardinality keys, which become meter tags:
 * {@code name} (the server's name) and {@code outcome} ({@code success}, {@code error},
 * {@code killed}, as the {@code gserver.handler.duration} timer has them; {@code unknown} while the
 * handler runs). High-cardinality keys, for spans only: {@code client.address} (the client's IP
 * literal, or a Unix socket's path) and {@code client.port} (absent for a Unix socket), named as
 * OpenTelemetry's semantic conventions name them.
 */
public class DefaultGServerConnectionObservationConvention implements GServerConnectionObservationConvention {

	/** The observation's name, and the name of the meters Micrometer makes of it. */
	public static final String NAME = "gserver.connection";

	/** The shared instance; the convention holds no state. */
	public static final DefaultGServerConnectionObservationConvention INSTANCE = new DefaultGServerConnectionObservationConvention();

	private static final KeyValue OUTCOME_UNKNOWN = KeyValue.of("outcome", "unknown");

	/** The outcome key values by {@link HandlerOutcome} ordinal, so that ending an observation builds no string. */
	private static final KeyValue[] OUTCOMES = outcomes();

	@Override
	public String getName() {
		return NAME;
	}

	/** Returns {@code connection <server name>}: a span's name. */
	@Override
	public String getContextualName(GServerConnectionContext context) {
		return "connection " + context.getServerName();
	}

	@Override
	public KeyValues getLowCardinalityKeyValues(GServerConnectionContext context) {
		return KeyValues.of(KeyValue.of("name", context.getServerName()), outcome(context));
	}

	@Override
	public KeyValues getHighCardinalityKeyValues(GServerConnectionContext context) {
		SocketAddress address = context.getRemoteAddress();
		if (address instanceof InetSocketAddress inet) {
			return KeyValues.of(KeyValue.of("client.address", Addresses.host(inet)),
					KeyValue.of("client.port", Integer.toString(inet.getPort())));
		}
		if (address instanceof UnixDomainSocketAddress unix) {
			return KeyValues.of(KeyValue.of("client.address", unix.getPath().toString()));
		}
		return KeyValues.of(KeyValue.of("client.address", String.valueOf(address)));
	}

	/** The {@code outcome} key value. */
	protected KeyValue outcome(GServerConnectionContext context) {
		HandlerOutcome outcome = context.getOutcome();
		return (outcome != null) ? OUTCOMES[outcome.ordinal()] : OUTCOME_UNKNOWN;
	}

	private static KeyValue[] outcomes() {
		HandlerOutcome[] outcomes = HandlerOutcome.values();
		KeyValue[] values = new KeyValue[outcomes.length];
		for (HandlerOutcome outcome : outcomes) {
			values[outcome.ordinal()] = KeyValue.of("outcome", outcome.name().toLowerCase(Locale.ROOT));
		}
		return values;
	}

}
