package io.tangle.microvm.app;

import io.tangle.microvm.app.config.ConfigException;
import io.tangle.microvm.app.config.OperatorConfig;
import io.tangle.microvm.app.config.OperatorConfigLoader;
import io.tangle.microvm.app.config.ProviderKind;
import io.tangle.microvm.app.config.RunOptions;
import io.tangle.microvm.app.dev.DevEnvFile;
import io.tangle.microvm.app.dev.DevFolderLock;
import io.tangle.microvm.app.dev.GuestImageSetup;
import io.tangle.microvm.app.dev.LeftoverAnvil;
import io.tangle.microvm.app.operator.Operator;
import io.tangle.microvm.chain.OperatorKeystore;
import io.tangle.microvm.chain.local.AnvilProcess;
import io.tangle.microvm.chain.local.LocalDeployment;
import io.tangle.microvm.chain.local.LocalTangleDeployer;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import org.web3j.utils.Numeric;

/**
 * The embedded default: a local Anvil chain with the Tangle contract, a blueprint with the
 * microVM jobs, a registered operator and an active service, and the operator running on it.
 */
@Command(name = "dev", mixinStandardHelpOptions = true,
        description = "Start a local chain with a microVM service and run the operator on it until Ctrl-C.")
final class DevCommand implements Callable<Integer> {

    private static final Logger log = LoggerFactory.getLogger(DevCommand.class);

    @Spec
    CommandSpec spec;

    @Option(names = "--provider", description = "VM provider: in-memory or qemu (default ${DEFAULT-VALUE}).",
            defaultValue = "in-memory")
    String provider;

    @Option(names = "--data-dir", description = "Folder for the chain log, keystore, dev.env and operator state "
            + "(default ${DEFAULT-VALUE}).", defaultValue = ".microvm-dev")
    Path dataDir;

    @Option(names = "--chain-only", description = "Set up the chain and write dev.env, but do not run the operator.")
    boolean chainOnly;

    @Option(names = "--rpc-port", description = "Port of the local chain on 127.0.0.1 (default ${DEFAULT-VALUE}).",
            defaultValue = "8545")
    int rpcPort;

    @Option(names = "--http-address", description = "Query API bind address host:port (default ${DEFAULT-VALUE}).",
            defaultValue = "127.0.0.1:3000")
    String queryAddress;

    @Override
    public Integer call() throws Exception {
        ProviderKind kind = ProviderKind.parse(provider);
        OperatorConfigLoader.parseAddress(queryAddress);
        if (rpcPort < 1 || rpcPort > 65535) {
            throw new ConfigException("invalid --rpc-port " + rpcPort + ": expected 1 to 65535");
        }
        Path dir = dataDir.toAbsolutePath().normalize();
        PrintWriter out = spec.commandLine().getOut();

        if (kind == ProviderKind.QEMU) {
            GuestImageSetup.ensureBuilt(System.getenv(), out);
        }

        Files.createDirectories(dir);
        try (DevFolderLock lock = DevFolderLock.acquire(dir)) {
            // Each dev run starts a new chain, so state kept for the previous chain would be stale.
            requireDevFolder(dir);
            deleteRecursively(dir.resolve("data"));
            deleteRecursively(dir.resolve("keystore"));
            LeftoverAnvil.endIfRunning(dir);
            return runChain(kind, dir, out);
        }
    }

    private int runChain(ProviderKind kind, Path dir, PrintWriter out) throws Exception {
        try (AnvilProcess anvil = AnvilProcess.start(AnvilProcess.Options.defaults()
                .withPort(rpcPort).withLogFile(dir.resolve("anvil.log")))) {
            LeftoverAnvil.record(dir, anvil.pid());
            LocalDeployment deployment = LocalTangleDeployer.deploy(anvil.web3j(), anvil.rpcUrl());
            OperatorKeystore.write(dir.resolve("keystore"), deployment.operator().getEcKeyPair());

            Map<String, String> env = devEnvironment(deployment, dir, kind);
            Path envFile = dir.resolve(DevEnvFile.FILE_NAME);
            DevEnvFile.write(envFile, env);
            printSummary(out, anvil, deployment, envFile, kind);

            if (chainOnly) {
                out.println("chain only: press Ctrl-C to stop the chain");
                out.flush();
                awaitStopSignal();
                return 0;
            }

            Map<String, String> operatorEnv = new HashMap<>(System.getenv());
            operatorEnv.putAll(env);
            OperatorConfig config = OperatorConfigLoader.load(RunOptions.none(), operatorEnv);
            out.println("operator running; press Ctrl-C to stop the operator and the chain");
            out.flush();
            // The chain ends with this command, so guests would have no chain left to take jobs from.
            return OperatorLifecycle.runUntilStopped(() -> Operator.start(config), true);
        } catch (IOException e) {
            throw new ConfigException("could not start the local chain: " + e.getMessage());
        } finally {
            log.info("local chain stopped");
        }
    }

    private Map<String, String> devEnvironment(LocalDeployment deployment, Path dir, ProviderKind kind) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PROTOCOL", "tangle");
        env.put("HTTP_RPC_URL", deployment.rpcUrl());
        env.put("KEYSTORE_URI", dir.resolve("keystore").toString());
        env.put("DATA_DIR", dir.resolve("data").toString());
        env.put("BLUEPRINT_ID", Long.toUnsignedString(deployment.blueprintId()));
        env.put("SERVICE_ID", Long.toUnsignedString(deployment.serviceId()));
        env.put("TANGLE_CONTRACT", deployment.contractAddress());
        env.put("TEST_MODE", "true");
        env.put("MICROVM_PROVIDER", kind.configName());
        env.put("MICROVM_QUERY_ADDR", queryAddress);
        env.put("MICROVM_POLL_INTERVAL_MS", "200");
        env.put("SERVICE_OWNER_ADDRESS", deployment.owner().getAddress());
        env.put("SERVICE_OWNER_PRIVATE_KEY",
                Numeric.toHexStringWithPrefixZeroPadded(deployment.owner().getEcKeyPair().getPrivateKey(), 64));
        return env;
    }

    private static void printSummary(PrintWriter out, AnvilProcess anvil, LocalDeployment deployment, Path envFile,
            ProviderKind kind) {
        out.println("local chain:    " + anvil.rpcUrl() + " (chain id " + deployment.chainId() + ", log "
                + anvil.logFile() + ")");
        out.println("contract:       " + deployment.contractAddress());
        out.println("blueprint:      " + Long.toUnsignedString(deployment.blueprintId()) + " with jobs "
                + String.join(", ", LocalTangleDeployer.MICROVM_JOBS));
        out.println("service:        " + Long.toUnsignedString(deployment.serviceId()) + " (activated in block "
                + deployment.activationBlock() + ")");
        out.println("operator:       " + deployment.operator().getAddress());
        out.println("service owner:  " + deployment.owner().getAddress() + " (Anvil development account 0)");
        out.println("provider:       " + kind.configName());
        out.println("environment:    " + envFile + " (set -a; . " + envFile + "; set +a)");
        out.flush();
    }

    private static void awaitStopSignal() throws InterruptedException {
        CountDownLatch stop = new CountDownLatch(1);
        StopSignals.onStop(stop::countDown);
        stop.await();
    }

    /**
     * Refuses a folder whose {@code data} or {@code keystore} no dev run made, because a dev run
     * deletes both: they could be a real operator's state and key. A folder that dev used before has
     * its {@code dev.env}.
     */
    private static void requireDevFolder(Path dir) {
        if (Files.exists(dir.resolve(DevEnvFile.FILE_NAME))) {
            return;
        }
        for (String name : new String[] {"data", "keystore"}) {
            Path existing = dir.resolve(name);
            if (Files.exists(existing)) {
                throw new ConfigException(existing + " exists, but " + dir + " has no " + DevEnvFile.FILE_NAME
                        + ", so no dev run made it; dev deletes the data and keystore folders of its --data-dir on"
                        + " each start. Choose a new or empty --data-dir, or move " + existing + " away yourself");
            }
        }
    }

    private static void deleteRecursively(Path path) throws IOException {
        if (!Files.exists(path)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(path)) {
            for (Path each : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(each);
            }
        }
    }
}
