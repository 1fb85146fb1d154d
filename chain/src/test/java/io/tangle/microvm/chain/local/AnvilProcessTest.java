package io.tangle.microvm.chain.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tangle.microvm.chain.testing.LocalChain;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.protocol.core.DefaultBlockParameterName;

class AnvilProcessTest {

    @Test
    void startedNodeHasLocalChainId() throws Exception {
        try (AnvilProcess anvil = LocalChain.startAnvil("process-start")) {
            assertThat(anvil.rpcUrl()).isEqualTo("http://127.0.0.1:" + anvil.port());
            assertThat(anvil.web3j().ethChainId().send().getChainId().longValueExact()).isEqualTo(AnvilProcess.CHAIN_ID);
            assertThat(anvil.web3j().ethGetBlockByNumber(DefaultBlockParameterName.LATEST, false).send().getBlock().getBaseFeePerGas()).isZero();
            assertThat(anvil.isAlive()).isTrue();
        }
    }

    @Test
    void closeStopsTheProcess() throws Exception {
        AnvilProcess anvil = LocalChain.startAnvil("process-close");

        anvil.close();

        assertThat(anvil.isAlive()).isFalse();
    }

    @Test
    void occupiedPortFails() throws Exception {
        try (AnvilProcess first = LocalChain.startAnvil("process-first")) {
            Path secondLog = LocalChain.logFile("process-second");
            Files.deleteIfExists(secondLog);

            assertThatThrownBy(() -> AnvilProcess.start(AnvilProcess.Options.defaults().withPort(first.port()).withLogFile(secondLog)))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining(secondLog.toString());
            assertThat(first.isAlive()).isTrue();
        }
    }

    @Test
    void missingToolsNameInstallScript(@TempDir Path emptyProject) {
        assertThatThrownBy(() -> LocalTools.anvilBinary(emptyProject))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("install-tools.sh");
    }

    @Test
    void projectRootHasTools() {
        Path root = LocalTools.projectRoot();

        assertThat(root.resolve(".tools")).isDirectory();
        assertThat(LocalTools.anvilBinary(root)).isExecutable();
    }
}
