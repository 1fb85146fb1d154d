package io.tangle.microvm.app.config;

/**
 * The raw values of the {@code run} command's flags; {@code null} means the flag was not given.
 * Kept apart from picocli so that configuration loading can be tested without a command line.
 */
public record RunOptions(
        String protocol,
        String httpRpcUrl,
        String keystoreUri,
        String dataDir,
        boolean testMode,
        boolean dryRun,
        String queryAddress,
        String startBlock,
        boolean noOwnerCheck,
        String bridgeSocketPath) {

    public static RunOptions none() {
        return new RunOptions(null, null, null, null, false, false, null, null, false, null);
    }
}
