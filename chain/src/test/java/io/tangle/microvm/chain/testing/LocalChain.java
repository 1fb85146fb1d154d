package io.tangle.microvm.chain.testing;

import io.tangle.microvm.chain.local.AnvilControl;
import io.tangle.microvm.chain.local.AnvilProcess;
import io.tangle.microvm.chain.local.LocalDeployment;
import io.tangle.microvm.chain.local.LocalTangleDeployer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.web3j.protocol.Web3j;

/**
 * Test fixture: a fresh Anvil with the local Tangle contract deployed and one active service.
 * Start one per test class (it takes well under a second) and close it in {@code @AfterAll}.
 * Anvil's log goes to {@code target/anvil-<name>.log}.
 */
public final class LocalChain implements AutoCloseable {

    private final AnvilProcess anvil;
    private final LocalDeployment deployment;

    private LocalChain(AnvilProcess anvil, LocalDeployment deployment) {
        this.anvil = anvil;
        this.deployment = deployment;
    }

    /** Starts Anvil and deploys with {@link LocalTangleDeployer.Request#defaults()}. */
    public static LocalChain start(String name) throws Exception {
        return start(name, LocalTangleDeployer.Request.defaults());
    }

    public static LocalChain start(String name, LocalTangleDeployer.Request request) throws Exception {
        AnvilProcess anvil = startAnvil(name);
        try {
            return new LocalChain(anvil, LocalTangleDeployer.deploy(anvil.web3j(), anvil.rpcUrl(), request));
        } catch (Exception | Error e) {
            anvil.close();
            throw e;
        }
    }

    /** Starts a bare Anvil with its log under {@code target/}. */
    public static AnvilProcess startAnvil(String name) throws Exception {
        return AnvilProcess.start(AnvilProcess.Options.defaults().withLogFile(logFile(name)));
    }

    /** Returns the log file for an Anvil of the given name under the module's {@code target/} folder. */
    public static Path logFile(String name) throws IOException {
        Path directory = Path.of("target");
        Files.createDirectories(directory);
        return directory.resolve("anvil-" + name + ".log");
    }

    public AnvilProcess anvil() {
        return anvil;
    }

    public Web3j web3j() {
        return anvil.web3j();
    }

    public AnvilControl control() {
        return anvil.control();
    }

    public LocalDeployment deployment() {
        return deployment;
    }

    @Override
    public void close() {
        anvil.close();
    }
}
