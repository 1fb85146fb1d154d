package io.tangle.microvm.app.testing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.LoggerFactory;

/**
 * Collects the log events of one logger and its children in this JVM, from {@link #of} until
 * {@link #close()}. Events keep their formatted message, so tests can look for ids and counts.
 */
public final class LogCapture extends AppenderBase<ILoggingEvent> implements AutoCloseable {

    /** One captured event. */
    public record Entry(Level level, String logger, String message) {
    }

    private final Logger logger;
    private final List<Entry> entries = new CopyOnWriteArrayList<>();

    private LogCapture(Logger logger) {
        this.logger = logger;
    }

    /** Starts capturing the events of {@code loggerName}, such as a class or package name. */
    public static LogCapture of(String loggerName) {
        Logger logger = (Logger) LoggerFactory.getLogger(loggerName);
        LogCapture capture = new LogCapture(logger);
        capture.setContext(logger.getLoggerContext());
        capture.start();
        logger.addAppender(capture);
        return capture;
    }

    @Override
    protected void append(ILoggingEvent event) {
        entries.add(new Entry(event.getLevel(), event.getLoggerName(), event.getFormattedMessage()));
    }

    /** Returns the events at {@code level} whose message contains every one of {@code parts}. */
    public List<Entry> find(Level level, String... parts) {
        return entries.stream()
                .filter(entry -> entry.level().equals(level))
                .filter(entry -> List.of(parts).stream().allMatch(entry.message()::contains))
                .toList();
    }

    @Override
    public void close() {
        logger.detachAppender(this);
        stop();
    }
}
