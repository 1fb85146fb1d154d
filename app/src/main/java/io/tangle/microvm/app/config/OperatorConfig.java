package io.tangle.microvm.app.config;

import io.tangle.microvm.jobs.OwnerCheck;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * Everything the {@code run} command needs, validated.
 *
 * @param startBlock the first block to scan on a first start; empty means the block where the
 *     service was activated
 * @param ownerCheck whether only a VM's creator may run jobs on it
 * @param bridgeSocket the blueprint manager's bridge socket, or empty when the operator runs
 *     without a manager
 * @param bridgePingWindow how long the operator pings the bridge at start before it gives up
 * @param resultBatchSize the most results sent in one {@code submitResults} transaction; 1 sends
 *     each result in a {@code submitResult} transaction of its own, as the Rust blueprint does
 * @param environment the process environment, for provider settings such as {@code MICROVM_QEMU_*}
 */
public record OperatorConfig(
        URI httpRpcUrl,
        Path keystore,
        Path dataDir,
        long blueprintId,
        long serviceId,
        String tangleContract,
        boolean testMode,
        boolean dryRun,
        ProviderKind provider,
        InetSocketAddress queryAddress,
        Duration pollInterval,
        long maxBlockRange,
        long confirmations,
        Optional<Long> startBlock,
        OwnerCheck ownerCheck,
        int resultBatchSize,
        Optional<Path> bridgeSocket,
        Duration bridgePingWindow,
        Map<String, String> environment) {

    public OperatorConfig {
        environment = Map.copyOf(environment);
    }
}
