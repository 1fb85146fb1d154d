package io.tangle.microvm.app;

import io.tangle.microvm.app.config.ConfigException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code microvm-blueprint} command line. */
@Command(
        name = "microvm-blueprint",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Tangle blueprint operator that runs microVM lifecycle jobs from an EVM chain.",
        subcommands = {RunCommand.class, DevCommand.class, CallCommand.class, ImageCommand.class})
public final class Main {

    private static final Logger log = LoggerFactory.getLogger(Main.class);

    /** Exit code for a failure at run time, such as a port in use. */
    public static final int EXIT_FAILURE = 1;

    /** Exit code for a missing or invalid setting. */
    public static final int EXIT_CONFIG = 2;

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the command line and returns the exit code, for tests that call it in-process. */
    public static int execute(String... args) {
        CommandLine commandLine = new CommandLine(new Main());
        commandLine.setExecutionExceptionHandler((exception, command, parseResult) -> {
            if (exception instanceof ConfigException) {
                command.getErr().println("microvm-blueprint: " + exception.getMessage());
                return EXIT_CONFIG;
            }
            // Start-up failures such as a port in use or an unusable data directory carry a
            // message that names what failed, so the stack trace goes to the log at DEBUG only.
            log.error("{} failed: {}", command.getCommandName(), describe(exception));
            log.debug("{} failed", command.getCommandName(), exception);
            return EXIT_FAILURE;
        });
        return commandLine.execute(args);
    }

    private static String describe(Throwable exception) {
        StringBuilder text = new StringBuilder(String.valueOf(exception.getMessage()));
        for (Throwable cause = exception.getCause(); cause != null && cause != cause.getCause(); cause = cause.getCause()) {
            if (cause.getMessage() != null && !text.toString().contains(cause.getMessage())) {
                text.append(": ").append(cause.getMessage());
            }
        }
        return text.toString();
    }
}
