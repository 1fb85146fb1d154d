package io.tangle.microvm.app.testing;

import io.tangle.microvm.chain.OperatorKeystore;
import io.tangle.microvm.chain.local.LocalDeployment;
import io.tangle.microvm.store.ServiceKey;
import io.tangle.microvm.store.SqliteStore;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.web3j.crypto.Credentials;

/** Builds the environment of an operator for a local deployment, as {@code dev.env} would hold it. */
public final class OperatorEnvironment {

    private OperatorEnvironment() {
    }

    /**
     * Writes {@code operator}'s key into {@code dir/keystore} and returns the variables that
     * {@code run} reads, with an ephemeral query port and a short poll interval.
     */
    public static Map<String, String> forDeployment(LocalDeployment deployment, Credentials operator, Path dir)
            throws IOException {
        Path keystore = dir.resolve("keystore");
        OperatorKeystore.write(keystore, operator.getEcKeyPair());

        Map<String, String> env = new HashMap<>();
        env.put("PROTOCOL", "tangle");
        env.put("HTTP_RPC_URL", deployment.rpcUrl());
        env.put("KEYSTORE_URI", keystore.toString());
        env.put("DATA_DIR", dir.resolve("data").toString());
        env.put("BLUEPRINT_ID", Long.toUnsignedString(deployment.blueprintId()));
        env.put("SERVICE_ID", Long.toUnsignedString(deployment.serviceId()));
        env.put("TANGLE_CONTRACT", deployment.contractAddress());
        env.put("TEST_MODE", "true");
        env.put("MICROVM_QUERY_ADDR", "127.0.0.1:0");
        env.put("MICROVM_POLL_INTERVAL_MS", "100");
        return env;
    }

    /**
     * Opens the store that an operator built by {@link #forDeployment} keeps under {@code dir}. Only
     * while no operator has it open: the store takes a process lock.
     */
    public static SqliteStore openStore(LocalDeployment deployment, Path dir) {
        return SqliteStore.open(dir.resolve("data"),
                new ServiceKey(deployment.chainId(), deployment.contractAddress(), deployment.serviceId()));
    }
}
