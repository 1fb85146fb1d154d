package io.tangle.microvm.app.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import io.tangle.microvm.app.config.OperatorConfigLoader;
import io.tangle.microvm.app.config.RunOptions;
import io.tangle.microvm.app.operator.Operator;
import io.tangle.microvm.app.testing.Await;
import io.tangle.microvm.app.testing.ChainEvents;
import io.tangle.microvm.app.testing.JobSender;
import io.tangle.microvm.app.testing.LogCapture;
import io.tangle.microvm.app.testing.OperatorEnvironment;
import io.tangle.microvm.app.testing.QueryClient;
import io.tangle.microvm.app.testing.SequentialReplay;
import io.tangle.microvm.chain.JobArguments;
import io.tangle.microvm.chain.JobResultEvent;
import io.tangle.microvm.chain.JobSubmittedEvent;
import io.tangle.microvm.chain.Rpc;
import io.tangle.microvm.chain.local.AnvilProcess;
import io.tangle.microvm.chain.local.LocalDeployment;
import io.tangle.microvm.chain.local.LocalTangleDeployer;
import io.tangle.microvm.chain.testing.LocalChain;
import io.tangle.microvm.jobs.JobIndex;
import io.tangle.microvm.jobs.OwnerCheck;
import io.tangle.microvm.store.JobOutcome;
import java.math.BigInteger;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameter;

/**
 * Anvil stopped and started again on the same port with its saved state, while the operator keeps
 * running with results in flight. The outage lasts until the result submitter has given up on at
 * least one result, so the test covers a result whose attempts ran out while the node was away.
 * Every call submitted before and after the outage must get its outcome and, if it succeeded, its
 * result on chain, without an operator restart.
 */
class RpcOutageTest {

    private static final int CALLS_BEFORE = 100;
    private static final Duration TIMEOUT = Duration.ofSeconds(45);

    @TempDir
    Path dir;

    @Test
    void operatorRidesOutAnvilRestart() throws Exception {
        AnvilProcess.Options anvilOptions = AnvilProcess.Options.defaults()
                .withPort(AnvilProcess.freePort())
                .withLogFile(LocalChain.logFile("rpc-outage"))
                .withExtraArguments(List.of("--state", dir.resolve("anvil-state.json").toString()));

        AnvilProcess anvil = AnvilProcess.start(anvilOptions);
        try (LogCapture chainLog = LogCapture.of("io.tangle.microvm.chain")) {
            LocalDeployment deployment = LocalTangleDeployer.deploy(anvil.web3j(), anvil.rpcUrl(),
                    LocalTangleDeployer.Request.defaults());
            String activationHash = blockHash(anvil.web3j(), deployment.activationBlock());
            Map<String, String> env = OperatorEnvironment.forDeployment(deployment, deployment.operator(), dir);

            // All calls are mined before the operator starts, so its first poll hands it every one at
            // once, and most result submissions are still running when the first outcome appears.
            List<JobSender.Job> before = new ArrayList<>();
            for (int i = 0; i < CALLS_BEFORE; i++) {
                before.add(new JobSender.Job(deployment.owner(), JobIndex.CREATE_VM, JobArguments.encode("vm-" + i)));
            }
            send(anvil, deployment, before);

            Operator operator = Operator.start(OperatorConfigLoader.load(RunOptions.none(), env));
            try {
                QueryClient query = new QueryClient(operator.queryPort());
                Await.until("the first outcome", TIMEOUT, () -> query.get("/jobs/0").statusCode() == 200);

                anvil.close();
                Await.until("/readyz to report the failing RPC endpoint", TIMEOUT, () -> {
                    HttpResponse<String> readiness = query.get("/readyz");
                    return readiness.statusCode() == 503 && readiness.body().contains("RPC endpoint failing");
                });
                Await.until("the poller to log its failures at ERROR with a count", TIMEOUT,
                        () -> !chainLog.find(Level.ERROR, "failed 5 times in a row").isEmpty());
                Await.until("the submitter to give up on a result while the node is away", TIMEOUT,
                        () -> !chainLog.find(Level.ERROR, "Giving up on", "result").isEmpty());
                assertThat(chainLog.find(Level.WARN, "job poller", "failed (attempt 1)")).as("first poller failure at WARN")
                        .isNotEmpty();

                anvil = AnvilProcess.start(anvilOptions);
                assertThat(blockHash(anvil.web3j(), deployment.activationBlock()))
                        .as("activation block hash after the restart; a different chain makes this test invalid")
                        .isEqualTo(activationHash);
                long restartHead = Rpc.send(anvil.web3j().ethBlockNumber()).getBlockNumber().longValueExact();

                List<JobSender.Job> after = new ArrayList<>();
                for (int i = 0; i < CALLS_BEFORE; i += 2) {
                    after.add(new JobSender.Job(deployment.owner(), JobIndex.START_VM, JobArguments.encode("vm-" + i)));
                }
                send(anvil, deployment, after);

                ChainEvents events = new ChainEvents(anvil.web3j(), deployment.contractAddress(), deployment.serviceId());
                List<JobSubmittedEvent> calls = events.jobCalls(deployment.activationBlock());
                assertThat(calls).as("calls on chain").hasSize(before.size() + after.size());
                SequentialReplay expected = SequentialReplay.of(calls, OwnerCheck.ENFORCED);
                for (JobSubmittedEvent call : calls) {
                    Await.until("an outcome for call " + call.callId(), TIMEOUT,
                            () -> query.get("/jobs/" + call.callId()).statusCode() == 200);
                }
                String operatorAddress = deployment.operator().getAddress();
                Await.until(expected.succeededCount() + " results on chain", TIMEOUT,
                        () -> events.resultsFrom(operatorAddress, deployment.activationBlock()).size()
                                >= expected.succeededCount());
                Await.until("/readyz to report ready again", TIMEOUT, () -> query.get("/readyz").statusCode() == 200);

                List<JobResultEvent> results = events.resultsFrom(operatorAddress, deployment.activationBlock());
                Map<Long, Long> resultsPerCall = results.stream()
                        .collect(Collectors.groupingBy(JobResultEvent::callId, Collectors.counting()));
                Set<Long> succeeded = expected.outcomes().values().stream()
                        .filter(outcome -> outcome.status() == JobOutcome.Status.SUCCEEDED)
                        .map(JobOutcome::callId).collect(Collectors.toSet());
                assertThat(succeeded).as("successful calls").hasSize(calls.size());
                assertThat(resultsPerCall.keySet()).as("calls with a result on chain").isEqualTo(succeeded);
                assertThat(resultsPerCall.values()).as("results per call").containsOnly(1L);
                assertThat(results.stream().filter(result -> result.callId() < CALLS_BEFORE)
                        .filter(result -> result.blockNumber() > restartHead))
                        .as("calls from before the outage with a result after it").isNotEmpty();
            } finally {
                operator.close();
            }
        } finally {
            anvil.close();
        }
    }

    private static void send(AnvilProcess anvil, LocalDeployment deployment, List<JobSender.Job> jobs) throws Exception {
        JobSender sender = new JobSender(anvil.web3j(), deployment.contractAddress(), deployment.serviceId(),
                deployment.chainId());
        sender.awaitMined(sender.send(jobs), TIMEOUT);
    }

    private static String blockHash(Web3j web3j, long block) throws Exception {
        return Rpc.send(web3j.ethGetBlockByNumber(DefaultBlockParameter.valueOf(BigInteger.valueOf(block)), false))
                .getBlock().getHash();
    }
}
