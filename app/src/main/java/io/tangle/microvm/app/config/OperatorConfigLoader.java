package io.tangle.microvm.app.config;

import io.tangle.microvm.chain.SubmitterConfig;
import io.tangle.microvm.jobs.OwnerCheck;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Builds an {@link OperatorConfig} from flags and environment variables with the names and
 * defaults of the upstream Rust blueprint, failing fast on any missing or invalid value.
 */
public final class OperatorConfigLoader {

    public static final String DEFAULT_RPC_URL = "http://127.0.0.1:9944";
    public static final String DEFAULT_KEYSTORE = "./keystore";
    public static final String DEFAULT_QUERY_ADDRESS = "127.0.0.1:3000";

    private static final int MAX_SOCKET_PATH_BYTES = 107;
    private static final List<String> LOG_LEVELS = List.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "OFF");

    private OperatorConfigLoader() {
    }

    public static OperatorConfig load(RunOptions options, Map<String, String> environment) {
        SettingSource settings = new SettingSource(environment);

        String protocol = settings.raw(options.protocol(), "PROTOCOL").orElse("tangle").toLowerCase(Locale.ROOT);
        if (!protocol.equals("tangle") && !protocol.equals("tangle-evm")) {
            throw new ConfigException("invalid --protocol / PROTOCOL '" + protocol
                    + "': this blueprint runs on Tangle only; set it to tangle");
        }

        URI rpcUrl = settings.httpUrl(options.httpRpcUrl(), "--http-rpc-url", "HTTP_RPC_URL", DEFAULT_RPC_URL);
        Path keystore = settings.path(
                settings.raw(options.keystoreUri(), "KEYSTORE_URI").orElse(DEFAULT_KEYSTORE), "--keystore-uri", "KEYSTORE_URI");
        String dataDirValue = settings.require(options.dataDir(), "--data-dir", "DATA_DIR",
                "set it to the directory where the operator keeps its state");
        Path dataDir = settings.path(dataDirValue, "--data-dir", "DATA_DIR");

        long blueprintId = settings.requireU64(null, null, "BLUEPRINT_ID");
        long serviceId = settings.requireU64(null, null, "SERVICE_ID");
        String contract = settings.requireAddress(null, null, "TANGLE_CONTRACT");

        requireLogLevel(settings.raw(null, "MICROVM_LOG_LEVEL"));
        ProviderKind provider = ProviderKind.parse(settings.raw(null, "MICROVM_PROVIDER").orElse("in-memory"));
        InetSocketAddress queryAddress = parseAddress(
                settings.raw(options.queryAddress(), "MICROVM_QUERY_ADDR").orElse(DEFAULT_QUERY_ADDRESS));

        Duration pollInterval = settings.millis(null, null, "MICROVM_POLL_INTERVAL_MS", 1000, 10, 600_000);
        long maxBlockRange = settings.number(null, null, "MICROVM_MAX_BLOCK_RANGE", 1000, 1, 100_000);
        long confirmations = settings.number(null, null, "MICROVM_CONFIRMATIONS", 0, 0, 1000);
        Optional<Long> startBlock = settings.optionalU64(options.startBlock(), "--start-block", "MICROVM_START_BLOCK");
        boolean ownerCheckOff = settings.bool(options.noOwnerCheck(), "MICROVM_NO_OWNER_CHECK");
        int resultBatchSize = (int) settings.number(null, null, "MICROVM_RESULT_BATCH_SIZE",
                SubmitterConfig.DEFAULT_MAX_BATCH_SIZE, 1, 500);
        Optional<Path> bridgeSocket = settings.raw(options.bridgeSocketPath(), "BRIDGE_SOCKET_PATH")
                .map(value -> bridgeSocket(settings.path(value, "--bridge-socket-path", "BRIDGE_SOCKET_PATH")));
        // The manager waits 480 s for the first ping, so a longer window could only outlast it.
        Duration bridgePingWindow = settings.millis(null, null, "MICROVM_BRIDGE_PING_TIMEOUT_MS", 60_000, 1_000, 480_000);

        return new OperatorConfig(rpcUrl, keystore, dataDir, blueprintId, serviceId, contract,
                settings.bool(options.testMode(), "TEST_MODE"), settings.bool(options.dryRun(), "DRY_RUN"),
                provider, queryAddress, pollInterval, maxBlockRange, confirmations, startBlock,
                ownerCheckOff ? OwnerCheck.DISABLED : OwnerCheck.ENFORCED, resultBatchSize, bridgeSocket,
                bridgePingWindow, environment);
    }

    /** Rejects a log level that the logging configuration would silently replace with its default. */
    private static void requireLogLevel(Optional<String> level) {
        if (level.isPresent() && !LOG_LEVELS.contains(level.get().toUpperCase(Locale.ROOT))) {
            throw new ConfigException("invalid MICROVM_LOG_LEVEL '" + level.get() + "': expected one of " + LOG_LEVELS);
        }
    }

    /** Checks the length limit of a Unix domain socket path on Linux: 107 bytes and a terminating zero. */
    private static Path bridgeSocket(Path socket) {
        int length = socket.toString().getBytes(StandardCharsets.UTF_8).length;
        if (length > MAX_SOCKET_PATH_BYTES) {
            throw new ConfigException("invalid --bridge-socket-path / BRIDGE_SOCKET_PATH '" + socket + "': a Unix socket"
                    + " path can have at most " + MAX_SOCKET_PATH_BYTES + " bytes, this one has " + length
                    + "; use a shorter path");
        }
        return socket;
    }

    /** Parses {@code host:port}; the port may be 0 for an ephemeral port. */
    public static InetSocketAddress parseAddress(String value) {
        int colon = value.lastIndexOf(':');
        if (colon <= 0 || colon == value.length() - 1) {
            throw new ConfigException("invalid --http-address / MICROVM_QUERY_ADDR '" + value
                    + "': expected host:port such as 127.0.0.1:3000");
        }

        String host = value.substring(0, colon);
        int port;
        try {
            port = Integer.parseInt(value.substring(colon + 1));
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (port < 0 || port > 65535) {
            throw new ConfigException("invalid --http-address / MICROVM_QUERY_ADDR '" + value
                    + "': the port must be 0 to 65535");
        }
        return new InetSocketAddress(host, port);
    }
}
