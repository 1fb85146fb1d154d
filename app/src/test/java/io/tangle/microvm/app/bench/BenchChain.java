package io.tangle.microvm.app.bench;

import io.tangle.microvm.chain.local.AnvilControl;
import io.tangle.microvm.chain.local.AnvilProcess;
import io.tangle.microvm.chain.local.LocalDeployment;
import io.tangle.microvm.chain.local.LocalTangleDeployer;
import io.tangle.microvm.chain.testing.LocalChain;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.web3j.protocol.Web3j;

/**
 * A fresh Anvil with the local Tangle contract and one active service, like {@link LocalChain},
 * but with extra Anvil arguments and a log of this run only, {@code target/anvil-<name>.log}.
 */
final class BenchChain implements AutoCloseable {

    private final AnvilProcess anvil;
    private final LocalDeployment deployment;

    private BenchChain(AnvilProcess anvil, LocalDeployment deployment) {
        this.anvil = anvil;
        this.deployment = deployment;
    }

    static BenchChain start(String name) throws Exception {
        return start(name, List.of());
    }

    /** Starts Anvil with {@code anvilArguments} added to {@link AnvilProcess}'s own, and deploys. */
    static BenchChain start(String name, List<String> anvilArguments) throws Exception {
        Path log = LocalChain.logFile(name);
        Files.deleteIfExists(log);
        AnvilProcess anvil = AnvilProcess.start(AnvilProcess.Options.defaults().withLogFile(log)
                .withExtraArguments(anvilArguments));
        try {
            return new BenchChain(anvil, LocalTangleDeployer.deploy(anvil.web3j(), anvil.rpcUrl()));
        } catch (Exception | Error e) {
            anvil.close();
            throw e;
        }
    }

    AnvilProcess anvil() {
        return anvil;
    }

    Web3j web3j() {
        return anvil.web3j();
    }

    AnvilControl control() {
        return anvil.control();
    }

    LocalDeployment deployment() {
        return deployment;
    }

    @Override
    public void close() {
        anvil.close();
    }
}
