package dev.gserver;

import java.util.List;
import java.util.stream.Collectors;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.LoggerFactory;

/**
 * The events one logger (logback's, on the test class path) logs during each test. Register it as
 * a field, {@code @RegisterExtension final LogCapture log = new LogCapture(BaseServer.class);},
 * or use it on its own in a try-with-resources block: it captures from {@link #start()} to
 * {@link #close()}.
 */
public final class LogCapture implements BeforeEachCallback, AfterEachCallback, AutoCloseable {

	private final Logger logger;

	private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

	/** The level to capture from, or null for the logger's own; the logger's own is put back on close. */
	private Level level;

	private Level levelBefore;

	/** Captures what the logger named after {@code loggerOf} logs. */
	public LogCapture(Class<?> loggerOf) {
		this.logger = (Logger) LoggerFactory.getLogger(loggerOf);
	}

	/** Captures from {@code level} on (such as DEBUG, below the tests' INFO), for this capture only. */
	public LogCapture atLevel(Level level) {
		this.level = level;
		return this;
	}

	/** Starts capturing; the extension starts before each test. */
	public LogCapture start() {
		if (this.level != null) {
			this.levelBefore = this.logger.getLevel();
			this.logger.setLevel(this.level);
		}
		synchronized (this.appender) {
			this.appender.list.clear();
		}
		this.appender.start();
		this.logger.addAppender(this.appender);
		return this;
	}

	/** The events captured so far, in order. */
	public List<ILoggingEvent> events() {
		// the appender adds under its own lock
		synchronized (this.appender) {
			return List.copyOf(this.appender.list);
		}
	}

	/**
	 * The errors reported so far, by exception class name: the events at WARN or above that carry
	 * a throwable (gevent's {@code assert_error}).
	 */
	public List<String> reportedErrors() {
		return events().stream()
			.filter((event) -> event.getLevel().isGreaterOrEqual(Level.WARN) && event.getThrowableProxy() != null)
			.map((event) -> event.getThrowableProxy().getClassName())
			.collect(Collectors.toList());
	}

	@Override
	public void close() {
		this.logger.detachAppender(this.appender);
		this.appender.stop();
		if (this.level != null) {
			this.logger.setLevel(this.levelBefore);
		}
	}

	@Override
	public void beforeEach(ExtensionContext context) {
		start();
	}

	@Override
	public void afterEach(ExtensionContext context) {
		close();
	}

}
