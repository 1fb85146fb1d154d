package io.tangle.microvm.app.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class OperatorConfigLoaderTest {

    private static final String CONTRACT = "0x5FbDB2315678afecb367f032d93F642f64180aa3";

    private static Map<String, String> validEnvironment() {
        Map<String, String> env = new HashMap<>();
        env.put("DATA_DIR", "/tmp/microvm-data");
        env.put("BLUEPRINT_ID", "0");
        env.put("SERVICE_ID", "7");
        env.put("TANGLE_CONTRACT", CONTRACT);
        return env;
    }

    @Test
    void upstreamDefaultsApply() {
        OperatorConfig config = OperatorConfigLoader.load(RunOptions.none(), validEnvironment());

        assertThat(config.httpRpcUrl()).hasToString("http://127.0.0.1:9944");
        assertThat(config.keystore()).isEqualTo(Path.of("keystore").toAbsolutePath());
        assertThat(config.queryAddress().getPort()).isEqualTo(3000);
        assertThat(config.queryAddress().getHostString()).isEqualTo("127.0.0.1");
        assertThat(config.provider()).isEqualTo(ProviderKind.IN_MEMORY);
        assertThat(config.serviceId()).isEqualTo(7);
        assertThat(config.tangleContract()).isEqualTo(CONTRACT.toLowerCase());
        assertThat(config.testMode()).isFalse();
        assertThat(config.pollInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(config.startBlock()).isEmpty();
        assertThat(config.resultBatchSize()).isEqualTo(50);
        assertThat(config.bridgeSocket()).isEmpty();
    }

    @Test
    void resultBatchSizeOfOneIsAccepted() {
        Map<String, String> env = validEnvironment();
        env.put("MICROVM_RESULT_BATCH_SIZE", "1");

        assertThat(OperatorConfigLoader.load(RunOptions.none(), env).resultBatchSize()).isEqualTo(1);
    }

    @Test
    void flagWinsOverEnvironment() {
        Map<String, String> env = validEnvironment();
        env.put("HTTP_RPC_URL", "http://127.0.0.1:1111");
        RunOptions options = new RunOptions(null, "http://127.0.0.1:2222", null, "/tmp/flag-dir", true, false, null, "12",
                false, "/run/bp/flag.sock");

        OperatorConfig config = OperatorConfigLoader.load(options, env);

        assertThat(config.httpRpcUrl()).hasToString("http://127.0.0.1:2222");
        assertThat(config.dataDir()).isEqualTo(Path.of("/tmp/flag-dir"));
        assertThat(config.testMode()).isTrue();
        assertThat(config.startBlock()).contains(12L);
        assertThat(config.bridgeSocket()).contains(Path.of("/run/bp/flag.sock"));
    }

    @Test
    void bridgeSocketComesFromEnvironment() {
        Map<String, String> env = validEnvironment();
        env.put("BRIDGE_SOCKET_PATH", "/run/bp/svc-1-7/svc-1-7.sock");

        assertThat(OperatorConfigLoader.load(RunOptions.none(), env).bridgeSocket())
                .contains(Path.of("/run/bp/svc-1-7/svc-1-7.sock"));
    }

    @Test
    void overlongBridgeSocketIsRejected() {
        Map<String, String> env = validEnvironment();
        env.put("BRIDGE_SOCKET_PATH", "/run/" + "a".repeat(120) + ".sock");

        assertThatThrownBy(() -> OperatorConfigLoader.load(RunOptions.none(), env))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("BRIDGE_SOCKET_PATH")
                .hasMessageContaining("at most 107 bytes");
    }

    @ParameterizedTest
    @ValueSource(strings = {"DATA_DIR", "BLUEPRINT_ID", "SERVICE_ID", "TANGLE_CONTRACT"})
    void missingRequiredVariableIsNamed(String variable) {
        Map<String, String> env = validEnvironment();
        env.remove(variable);

        assertThatThrownBy(() -> OperatorConfigLoader.load(RunOptions.none(), env))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("missing ")
                .hasMessageContaining(variable);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "SERVICE_ID|abc|expected an unsigned 64-bit integer",
        "SERVICE_ID|-1|expected an unsigned 64-bit integer",
        "SERVICE_ID|18446744073709551616|expected an unsigned 64-bit integer",
        "BLUEPRINT_ID|1.5|expected an unsigned 64-bit integer",
        "TANGLE_CONTRACT|0x1234|expected 0x followed by 40 hex digits",
        "TANGLE_CONTRACT|0x0000000000000000000000000000000000000000|the zero address watches nothing",
        "HTTP_RPC_URL|ws://127.0.0.1:8545|expected an http:// or https:// URL",
        "PROTOCOL|eigenlayer|this blueprint runs on Tangle only",
        "MICROVM_PROVIDER|docker|Unknown MICROVM_PROVIDER 'docker'",
        "MICROVM_QUERY_ADDR|localhost|expected host:port",
        "MICROVM_QUERY_ADDR|127.0.0.1:70000|the port must be 0 to 65535",
        "MICROVM_POLL_INTERVAL_MS|0|expected 10 to 600000 milliseconds",
        "TEST_MODE|maybe|expected true or false",
        "MICROVM_RESULT_BATCH_SIZE|0|expected 1 to 500",
        "MICROVM_RESULT_BATCH_SIZE|501|expected 1 to 500",
        "MICROVM_RESULT_BATCH_SIZE|many|expected an integer from 1 to 500",
        "MICROVM_RESULT_BATCH_SIZE|99999999999999999999|expected 1 to 500",
        "MICROVM_BRIDGE_PING_TIMEOUT_MS|999|expected 1000 to 480000 milliseconds",
        "MICROVM_LOG_LEVEL|LOUD|expected one of [TRACE, DEBUG, INFO, WARN, ERROR, OFF]",
    })
    void invalidValueIsRejectedWithItsName(String variable, String value, String expected) {
        Map<String, String> env = validEnvironment();
        env.put(variable, value);

        assertThatThrownBy(() -> OperatorConfigLoader.load(RunOptions.none(), env))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(variable.equals("MICROVM_PROVIDER") ? "MICROVM_PROVIDER" : variable)
                .hasMessageContaining(expected);
    }

    @Test
    void largestSignedServiceIdIsAccepted() {
        Map<String, String> env = validEnvironment();
        env.put("SERVICE_ID", "9223372036854775807");

        assertThat(OperatorConfigLoader.load(RunOptions.none(), env).serviceId()).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void serviceIdAboveSignedRangeIsRejected() {
        Map<String, String> env = validEnvironment();
        env.put("SERVICE_ID", "18446744073709551615");

        assertThatThrownBy(() -> OperatorConfigLoader.load(RunOptions.none(), env))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("SERVICE_ID")
                .hasMessageContaining("ids above 9223372036854775807 are not supported");
    }

    @ParameterizedTest
    @CsvSource({"memory,IN_MEMORY", "In-Memory,IN_MEMORY", "QEMU,QEMU", "firecracker,FIRECRACKER"})
    void providerNameIsCaseInsensitive(String value, ProviderKind expected) {
        Map<String, String> env = validEnvironment();
        env.put("MICROVM_PROVIDER", value);

        assertThat(OperatorConfigLoader.load(RunOptions.none(), env).provider()).isEqualTo(expected);
    }
}
