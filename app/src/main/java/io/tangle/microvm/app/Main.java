package io.tangle.microvm.app;

import io.tangle.microvm.app.config.ConfigException;
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
            throw exception;
        });
        return commandLine.execute(args);
    }
}
