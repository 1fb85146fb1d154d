package io.tangle.microvm.app;

import io.tangle.microvm.app.config.OperatorConfig;
import io.tangle.microvm.app.config.OperatorConfigLoader;
import io.tangle.microvm.app.config.RunOptions;
import io.tangle.microvm.app.operator.Operator;
import java.util.List;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Unmatched;

/**
 * The upstream-compatible operator: the flags and environment variables of the Rust blueprint's
 * {@code run} command. Flags the Rust SDK accepts but this operator does not use are accepted and
 * logged, so a blueprint manager can start either binary the same way.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run the operator: watch the chain for jobs of SERVICE_ID, run them, send results on chain.")
final class RunCommand implements Callable<Integer> {

    private static final Logger log = LoggerFactory.getLogger(RunCommand.class);

    @Option(names = {"-t", "--test-mode"}, description = "Keep running when the blueprint manager bridge does not respond"
            + " (env TEST_MODE).")
    boolean testMode;

    @Option(names = "--dry-run", description = "Run jobs but send no transactions (env DRY_RUN).")
    boolean dryRun;

    @Option(names = "--http-rpc-url", description = "JSON-RPC endpoint (env HTTP_RPC_URL, default http://127.0.0.1:9944).")
    String httpRpcUrl;

    @Option(names = "--ws-rpc-url", description = "Accepted for compatibility; unused (env WS_RPC_URL).")
    String wsRpcUrl;

    @Option(names = {"-k", "--keystore-uri"}, description = "Keystore directory (env KEYSTORE_URI, default ./keystore).")
    String keystoreUri;

    @Option(names = {"-d", "--data-dir"}, description = "State directory, required (env DATA_DIR).")
    String dataDir;

    @Option(names = "--protocol", description = "Must be tangle (env PROTOCOL).")
    String protocol;

    @Option(names = "--chain", description = "Accepted for compatibility; unused (env CHAIN).")
    String chain;

    @Option(names = "--keystore-password", description = "Accepted for compatibility; the file keystore has none.")
    String keystorePassword;

    @Option(names = "--bridge-socket-path", description = "Unix socket of the blueprint manager's bridge, pinged at start"
            + " (env BRIDGE_SOCKET_PATH; unset: run standalone).")
    String bridgeSocketPath;

    @Option(names = "--pretty", description = "Accepted for compatibility.")
    boolean pretty;

    @Option(names = "-v", description = "Accepted for compatibility; set MICROVM_LOG_LEVEL=DEBUG for more logs.")
    boolean[] verbosity;

    @Option(names = "--http-address", description = "Query API bind address host:port (env MICROVM_QUERY_ADDR, "
            + "default 127.0.0.1:3000).")
    String queryAddress;

    @Option(names = "--start-block", description = "First block to scan on a first start (env MICROVM_START_BLOCK, "
            + "default: the block where the service was activated). Ignored once a cursor is stored.")
    String startBlock;

    @Option(names = "--no-owner-check", description = "Let any permitted caller run jobs on any VM, as the Rust "
            + "blueprint does (env MICROVM_NO_OWNER_CHECK).")
    boolean noOwnerCheck;

    @Unmatched
    List<String> unmatched;

    @Override
    public Integer call() throws Exception {
        if (unmatched != null && !unmatched.isEmpty()) {
            log.warn("ignoring unknown arguments {}", unmatched);
        }
        RunOptions options = new RunOptions(protocol, httpRpcUrl, keystoreUri, dataDir, testMode, dryRun, queryAddress,
                startBlock, noOwnerCheck, bridgeSocketPath);
        OperatorConfig config = OperatorConfigLoader.load(options, System.getenv());

        try (ManagerBridge bridge = new ManagerBridge(config.bridgeSocket(), config.bridgePingWindow(), config.testMode())) {
            return OperatorLifecycle.runUntilStopped(() -> {
                bridge.connect();
                return Operator.start(config);
            });
        }
    }
}
