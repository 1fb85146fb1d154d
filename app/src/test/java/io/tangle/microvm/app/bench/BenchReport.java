package io.tangle.microvm.app.bench;

import io.tangle.microvm.chain.SubmitterConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * Prints a benchmark's figures to standard output, one {@code name: value} line each, framed by
 * the machine, the command and the load average, so that a pasted report shows where it came from.
 * Logs go to standard error, so standard output holds only this report.
 */
final class BenchReport {

    /** System property that {@code scripts/bench.sh} sets to the command line that ran the benchmark. */
    static final String COMMAND_PROPERTY = "bench.command";

    private final String name;

    private BenchReport(String name) {
        this.name = name;
    }

    /** Prints the header: benchmark name, command, date, CPUs, kernel, JDK and load average. */
    static BenchReport start(String name) {
        BenchReport report = new BenchReport(name);
        System.out.println("== " + name + " ==");
        report.line("command", System.getProperty(COMMAND_PROPERTY, "(not run through scripts/bench.sh)"));
        report.line("date", ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
        report.line("machine", Runtime.getRuntime().availableProcessors() + " CPUs (" + cpuModel() + "), Linux "
                + System.getProperty("os.version") + ", JDK " + System.getProperty("java.version") + ", max heap "
                + Runtime.getRuntime().maxMemory() / (1024 * 1024) + " MiB");
        report.line("load average at start", loadAverage());
        report.line("operator result batch size", System.getProperty(BenchOperators.RESULT_BATCH_SIZE_PROPERTY,
                "default (" + SubmitterConfig.DEFAULT_MAX_BATCH_SIZE + ")"));
        return report;
    }

    /** Prints one figure. */
    void line(String figure, String value) {
        System.out.println(figure + ": " + value);
        System.out.flush();
    }

    /** Prints one figure from a format string, with the root locale so decimals use a point. */
    void line(String figure, String format, Object... arguments) {
        line(figure, String.format(Locale.ROOT, format, arguments));
    }

    /** Prints the load average again, which shows whether other work shared the machine during the run. */
    void finish() {
        line("load average at end", loadAverage());
        System.out.println("== end of " + name + " ==");
        System.out.flush();
    }

    private static String loadAverage() {
        try {
            String[] fields = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
            return fields[0] + " " + fields[1] + " " + fields[2] + " (1, 5, 15 min)";
        } catch (IOException e) {
            return "unknown (" + e.getMessage() + ")";
        }
    }

    private static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                    .filter(line -> line.startsWith("model name"))
                    .map(line -> line.substring(line.indexOf(':') + 1).trim())
                    .findFirst()
                    .orElse("unknown model");
        } catch (IOException e) {
            return "unknown model";
        }
    }
}
