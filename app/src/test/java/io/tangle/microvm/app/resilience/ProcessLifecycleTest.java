package io.tangle.microvm.app.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import io.tangle.microvm.app.testing.Await;
import io.tangle.microvm.app.testing.ChainEvents;
import io.tangle.microvm.app.testing.JobSender;
import io.tangle.microvm.app.testing.OperatorEnvironment;
import io.tangle.microvm.app.testing.OperatorProcess;
import io.tangle.microvm.app.testing.QueryClient;
import io.tangle.microvm.app.testing.SequentialReplay;
import io.tangle.microvm.bridge.FakeBridge;
import io.tangle.microvm.chain.JobArguments;
import io.tangle.microvm.chain.JobResultEvent;
import io.tangle.microvm.chain.JobSubmittedEvent;
import io.tangle.microvm.chain.OperatorKeystore;
import io.tangle.microvm.chain.local.DevAccounts;
import io.tangle.microvm.chain.local.LocalDeployment;
import io.tangle.microvm.chain.testing.LocalChain;
import io.tangle.microvm.jobs.JobIndex;
import io.tangle.microvm.jobs.OwnerCheck;
import io.tangle.microvm.store.JobOutcome;
import io.tangle.microvm.store.SqliteStore;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator in a child JVM, started and stopped as a supervisor does. SIGTERM drains and exits
 * 0, whether calls are in flight or the operator is still waiting for its RPC endpoint. A call in
 * flight at the stop is either finished or picked up by the next start, never lost. A fatal
 * configuration error exits 2 naming the variable, and a second process on the same data directory
 * is rejected.
 */
class ProcessLifecycleTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    /** Bounds a stop: the operator drains calls, then submissions, each for at most 20 s, but is expected far sooner. */
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

    private static final int CALLS = 200;

    @TempDir
    Path dir;

    @Test
    void sigtermWithCallsInFlightLosesNothing() throws Exception {
        try (LocalChain chain = LocalChain.start("sigterm")) {
            LocalDeployment deployment = chain.deployment();
            int port = OperatorProcess.freePort();
            Map<String, String> env = OperatorEnvironment.forDeployment(deployment, deployment.operator(), dir);
            env.put("MICROVM_QUERY_ADDR", "127.0.0.1:" + port);
            QueryClient query = new QueryClient(port);
            Path log = logFile("operator-sigterm.log");
            List<Path> crashLogsBefore = crashLogs();

            JobSender sender = new JobSender(chain.web3j(), deployment.contractAddress(), deployment.serviceId(),
                    deployment.chainId());
            FutureTask<List<String>> sending = new FutureTask<>(() -> sender.send(burst(deployment)));
            try (OperatorProcess first = OperatorProcess.start(env, log)) {
                Await.until("/readyz to return 200", TIMEOUT, () -> query.get("/readyz").statusCode() == 200);
                Thread.ofPlatform().name("job-burst").start(sending);
                Await.until("the first outcome", TIMEOUT, () -> query.get("/jobs/0").statusCode() == 200);

                long stopStarted = System.nanoTime();
                first.terminate();
                int exitCode = first.awaitExit(STOP_TIMEOUT);
                Duration stopTook = Duration.ofNanos(System.nanoTime() - stopStarted);

                assertThat(exitCode).as("exit code after SIGTERM; log:\n%s", first.logTail(30)).isZero();
                assertThat(first.log()).as("operator log").contains("received SIGTERM", "operator stopped");
                assertThat(stopTook).as("time from SIGTERM to exit").isLessThan(STOP_TIMEOUT);
            }
            assertThat(crashLogs()).as("JVM crash logs").isEqualTo(crashLogsBefore);
            sender.awaitMined(sending.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS), TIMEOUT);
            try (SqliteStore store = OperatorEnvironment.openStore(deployment, dir)) {
                assertThat(store.outcomeCount()).as("outcomes stored when the operator stopped, so that calls are"
                        + " left for the next start").isBetween(1L, CALLS - 1L);
            }

            ChainEvents events = new ChainEvents(chain.web3j(), deployment.contractAddress(), deployment.serviceId());
            List<JobSubmittedEvent> calls = events.jobCalls(deployment.activationBlock());
            SequentialReplay expected = SequentialReplay.of(calls, OwnerCheck.ENFORCED);
            try (OperatorProcess second = OperatorProcess.start(env, log)) {
                for (JobSubmittedEvent call : calls) {
                    Await.until("an outcome for call " + call.callId() + " after the restart", TIMEOUT,
                            () -> query.get("/jobs/" + call.callId()).statusCode() == 200);
                }
                query.awaitIdle(TIMEOUT);

                Map<Long, Long> results = events.resultsFrom(deployment.operator().getAddress(), deployment.activationBlock())
                        .stream().collect(Collectors.groupingBy(JobResultEvent::callId, Collectors.counting()));
                Map<Long, Long> expectedResults = new HashMap<>();
                expected.outcomes().values().stream().filter(outcome -> outcome.status() == JobOutcome.Status.SUCCEEDED)
                        .forEach(outcome -> expectedResults.put(outcome.callId(), 1L));
                assertThat(results).as("results on chain per call").isEqualTo(expectedResults);

                second.terminate();
                assertThat(second.awaitExit(STOP_TIMEOUT)).as("exit code of the restarted operator after SIGTERM").isZero();
            }
        }
    }

    @Test
    void sigtermDuringStartupExitsZero() throws Exception {
        Map<String, String> env = unreachableChainEnvironment("127.0.0.1:0");

        try (OperatorProcess operator = OperatorProcess.start(env, logFile("operator-sigterm-startup.log"))) {
            Await.until("the operator to report the unreachable RPC endpoint", TIMEOUT,
                    () -> operator.log().contains("not reachable"));
            operator.terminate();

            assertThat(operator.awaitExit(STOP_TIMEOUT)).as("exit code after SIGTERM during start-up").isZero();
            assertThat(operator.log()).as("operator log").contains("stopped during start-up");
        }
    }

    @Test
    void queryApiAnswersDuringStartup() throws Exception {
        int port = OperatorProcess.freePort();
        Map<String, String> env = unreachableChainEnvironment("127.0.0.1:" + port);
        QueryClient query = new QueryClient(port);

        try (OperatorProcess operator = OperatorProcess.start(env, logFile("operator-query-startup.log"))) {
            Await.until("the operator to report the unreachable RPC endpoint", TIMEOUT,
                    () -> operator.log().contains("not reachable"));

            assertThat(query.get("/health").statusCode()).as("/health while starting").isEqualTo(200);
            HttpResponse<String> readiness = query.get("/readyz");
            assertThat(readiness.statusCode()).as("/readyz status while starting").isEqualTo(503);
            assertThat(readiness.body()).as("/readyz body while starting").contains("waiting for the RPC endpoint");
            HttpResponse<String> vms = query.get("/vms");
            assertThat(vms.statusCode()).as("/vms status while starting").isEqualTo(503);
            assertThat(vms.body()).as("/vms body while starting").contains("the operator is starting");

            operator.terminate();
            assertThat(operator.awaitExit(STOP_TIMEOUT)).as("exit code after SIGTERM during start-up").isZero();
        }
    }

    @Test
    void managerBridgeIsPingedBeforeChainWait() throws Exception {
        Path socket = dir.resolve("bridge.sock");
        Map<String, String> env = unreachableChainEnvironment("127.0.0.1:0");
        env.put("BRIDGE_SOCKET_PATH", socket.toString());

        try (FakeBridge bridge = FakeBridge.start(socket);
                OperatorProcess operator = OperatorProcess.start(env, logFile("operator-bridge.log"))) {
            Await.until("a ping on the bridge", TIMEOUT, () -> !bridge.pings().isEmpty());
            Await.until("the operator to report the unreachable RPC endpoint", TIMEOUT,
                    () -> operator.log().contains("not reachable"));

            operator.terminate();
            assertThat(operator.awaitExit(STOP_TIMEOUT)).as("exit code after SIGTERM").isZero();
        }
    }

    @Test
    void unreachableBridgeStopsStartup() throws Exception {
        Path socket = dir.resolve("absent.sock");
        Map<String, String> env = unreachableChainEnvironment("127.0.0.1:0");
        env.put("BRIDGE_SOCKET_PATH", socket.toString());
        env.put("MICROVM_BRIDGE_PING_TIMEOUT_MS", "1500");

        try (OperatorProcess operator = OperatorProcess.start(env, logFile("operator-no-bridge.log"))) {
            assertThat(operator.awaitExit(STOP_TIMEOUT)).as("exit code without a bridge").isEqualTo(1);
            assertThat(operator.log()).as("operator log").contains(socket.toString()).contains("TEST_MODE=true");
        }
    }

    @Test
    void unreachableBridgeInTestModeIsReported() throws Exception {
        Map<String, String> env = unreachableChainEnvironment("127.0.0.1:0");
        env.put("BRIDGE_SOCKET_PATH", dir.resolve("absent.sock").toString());
        env.put("MICROVM_BRIDGE_PING_TIMEOUT_MS", "1500");
        env.put("TEST_MODE", "true");

        try (OperatorProcess operator = OperatorProcess.start(env, logFile("operator-test-mode-bridge.log"))) {
            Await.until("the operator to go on to the RPC endpoint", TIMEOUT,
                    () -> operator.log().contains("not reachable"));

            assertThat(operator.log()).as("operator log").contains("test mode is on");
            operator.terminate();
            assertThat(operator.awaitExit(STOP_TIMEOUT)).as("exit code after SIGTERM").isZero();
        }
    }

    @Test
    void configErrorExitsTwoNamingVariable() throws Exception {
        Map<String, String> base = new HashMap<>();
        base.put("DATA_DIR", dir.resolve("data").toString());
        base.put("BLUEPRINT_ID", "0");
        base.put("SERVICE_ID", "0");
        base.put("TANGLE_CONTRACT", "0x" + "12".repeat(20));

        Map<String, Map<String, String>> cases = Map.of(
                "SERVICE_ID", without(base, "SERVICE_ID"),
                "MICROVM_POLL_INTERVAL_MS", with(base, "MICROVM_POLL_INTERVAL_MS", "fast"),
                "TANGLE_CONTRACT", with(base, "TANGLE_CONTRACT", "0x" + "0".repeat(40)));
        for (Map.Entry<String, Map<String, String>> entry : cases.entrySet()) {
            String variable = entry.getKey();
            try (OperatorProcess operator = OperatorProcess.start(entry.getValue(),
                    logFile("operator-config-" + variable + ".log"))) {
                assertThat(operator.awaitExit(TIMEOUT)).as("exit code with a bad %s", variable).isEqualTo(2);
                assertThat(operator.log()).as("output with a bad %s", variable).contains("microvm-blueprint: ", variable);
            }
        }
    }

    @Test
    void secondOperatorOnDataDirIsRejected() throws Exception {
        try (LocalChain chain = LocalChain.start("same-data-dir")) {
            LocalDeployment deployment = chain.deployment();
            int port = OperatorProcess.freePort();
            Map<String, String> env = OperatorEnvironment.forDeployment(deployment, deployment.operator(), dir);
            env.put("MICROVM_QUERY_ADDR", "127.0.0.1:" + port);

            try (OperatorProcess first = OperatorProcess.start(env, logFile("operator-lock-first.log"))) {
                QueryClient query = new QueryClient(port);
                Await.until("/readyz of the first operator to return 200", TIMEOUT,
                        () -> query.get("/readyz").statusCode() == 200);

                Map<String, String> secondEnv = new HashMap<>(env);
                secondEnv.put("MICROVM_QUERY_ADDR", "127.0.0.1:0");
                try (OperatorProcess second = OperatorProcess.start(secondEnv, logFile("operator-lock-second.log"))) {
                    assertThat(second.awaitExit(TIMEOUT)).as("exit code of the second operator").isNotZero();
                    assertThat(second.log()).as("output of the second operator")
                            .contains("another operator process already uses", dir.resolve("data").toString());
                }
                assertThat(first.isAlive()).as("first operator still running").isTrue();
                assertThat(query.get("/readyz").statusCode()).as("/readyz of the first operator").isEqualTo(200);
            }
        }
    }

    /** Creates {@link #CALLS} / 2 VMs, then starts each. */
    private static List<JobSender.Job> burst(LocalDeployment deployment) {
        List<JobSender.Job> jobs = new ArrayList<>();
        for (int i = 0; i < CALLS / 2; i++) {
            jobs.add(new JobSender.Job(deployment.owner(), JobIndex.CREATE_VM, JobArguments.encode("vm-" + i)));
        }
        for (int i = 0; i < CALLS / 2; i++) {
            jobs.add(new JobSender.Job(deployment.owner(), JobIndex.START_VM, JobArguments.encode("vm-" + i)));
        }
        return jobs;
    }

    private static Path logFile(String name) throws IOException {
        Path file = Files.createDirectories(Path.of("target")).resolve(name);
        Files.deleteIfExists(file);
        return file;
    }

    /** Returns the JVM crash logs ({@code hs_err_pid*.log}) in the working directory, where a child JVM writes them. */
    private static List<Path> crashLogs() throws IOException {
        try (Stream<Path> files = Files.list(Path.of(""))) {
            return files.filter(file -> file.getFileName().toString().startsWith("hs_err_pid")).sorted().toList();
        }
    }

    private static Map<String, String> with(Map<String, String> base, String name, String value) {
        Map<String, String> copy = new HashMap<>(base);
        copy.put(name, value);
        return copy;
    }

    private static Map<String, String> without(Map<String, String> base, String name) {
        Map<String, String> copy = new HashMap<>(base);
        copy.remove(name);
        return copy;
    }

    /** Returns a complete operator environment whose RPC endpoint is a port that nothing listens on. */
    private Map<String, String> unreachableChainEnvironment(String queryAddress) throws IOException {
        Map<String, String> env = new HashMap<>();
        env.put("HTTP_RPC_URL", "http://127.0.0.1:" + OperatorProcess.freePort());
        env.put("DATA_DIR", dir.resolve("data").toString());
        env.put("KEYSTORE_URI", dir.resolve("keystore").toString());
        env.put("BLUEPRINT_ID", "0");
        env.put("SERVICE_ID", "0");
        env.put("TANGLE_CONTRACT", "0x" + "12".repeat(20));
        env.put("MICROVM_QUERY_ADDR", queryAddress);
        OperatorKeystore.write(dir.resolve("keystore"), DevAccounts.operator().getEcKeyPair());
        return env;
    }
}
