package io.tangle.microvm.app;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tangle.microvm.app.testing.ChainEvents;
import io.tangle.microvm.chain.local.DevAccounts;
import io.tangle.microvm.chain.local.LocalDeployment;
import io.tangle.microvm.chain.testing.LocalChain;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The {@code call} command against a local chain, with no operator running ({@code --no-wait}).
 * The command lowers the root log level for its terminal output, so each test restores it for the
 * tests that run later in this JVM and read INFO logs.
 */
class CallCommandTest {

    private static LocalChain chain;
    private static LocalDeployment deployment;

    private final Logger rootLogger = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    private Level rootLevel;

    @BeforeEach
    void saveRootLevel() {
        rootLevel = rootLogger.getLevel();
    }

    @AfterEach
    void restoreRootLevel() {
        rootLogger.setLevel(rootLevel);
    }

    @BeforeAll
    static void startChain() throws Exception {
        chain = LocalChain.start("call-command");
        deployment = chain.deployment();
    }

    @AfterAll
    static void stopChain() {
        if (chain != null) {
            chain.close();
        }
    }

    @Test
    void concurrentCallsOfOneKeyAllSubmit() throws Exception {
        int calls = 12;
        long countBefore = callCount();

        List<Future<Integer>> exits = new ArrayList<>();
        try (ExecutorService threads = Executors.newFixedThreadPool(calls)) {
            for (int i = 0; i < calls; i++) {
                String vmId = "vm-parallel-" + i;
                exits.add(threads.submit(() -> Main.execute(arguments("create-vm", vmId, DevAccounts.ACCOUNT_0_KEY))));
            }
        }

        for (Future<Integer> exit : exits) {
            assertThat(exit.get(60, TimeUnit.SECONDS)).as("exit code of one call").isZero();
        }
        assertThat(callCount() - countBefore).as("calls on chain").isEqualTo(calls);
    }

    @Test
    void rejectedJobPrintsNotSubmittedLine() throws Exception {
        // Dev account 3 is not a permitted caller of the service, so the contract rejects the job.
        String outsiderKey = DevAccounts.ACCOUNT_3_KEY;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream original = System.out;

        int exit;
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            exit = Main.execute(withJson(arguments("create-vm", "vm-outsider", outsiderKey)));
        } finally {
            System.setOut(original);
        }

        assertThat(exit).isEqualTo(1);
        JsonNode line = new ObjectMapper().readTree(captured.toString(StandardCharsets.UTF_8).strip());
        assertThat(line.path("event").asText()).isEqualTo("job_not_submitted");
        assertThat(line.path("error").asText()).contains("NotPermittedCaller");
        assertThat(line.path("error").asText()).contains("addPermittedCaller");
    }

    private static String[] arguments(String job, String vmId, String privateKey) {
        return new String[] {"call", "--no-wait", "--rpc-url", deployment.rpcUrl(), "--contract",
            deployment.contractAddress(), "--service-id", Long.toString(deployment.serviceId()), "--private-key",
            privateKey, job, vmId};
    }

    private static String[] withJson(String[] arguments) {
        String[] withJson = new String[arguments.length + 1];
        withJson[0] = arguments[0];
        withJson[1] = "--json";
        System.arraycopy(arguments, 1, withJson, 2, arguments.length - 1);
        return withJson;
    }

    /** Returns how many job calls the service has, from its {@code JobSubmitted} events. */
    private static long callCount() throws Exception {
        return new ChainEvents(chain.web3j(), deployment.contractAddress(), deployment.serviceId())
                .jobCalls(deployment.activationBlock()).size();
    }
}
