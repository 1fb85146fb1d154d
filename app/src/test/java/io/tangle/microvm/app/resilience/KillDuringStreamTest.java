package io.tangle.microvm.app.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tangle.microvm.app.testing.Await;
import io.tangle.microvm.app.testing.ChainEvents;
import io.tangle.microvm.app.testing.DevChainRpc;
import io.tangle.microvm.app.testing.JobSender;
import io.tangle.microvm.app.testing.OperatorEnvironment;
import io.tangle.microvm.app.testing.OperatorProcess;
import io.tangle.microvm.app.testing.QueryClient;
import io.tangle.microvm.app.testing.SequentialReplay;
import io.tangle.microvm.chain.JobArguments;
import io.tangle.microvm.chain.JobResultEvent;
import io.tangle.microvm.chain.JobSubmittedEvent;
import io.tangle.microvm.chain.Rpc;
import io.tangle.microvm.chain.TangleFunctions;
import io.tangle.microvm.chain.TransactionRunner;
import io.tangle.microvm.chain.local.DevAccounts;
import io.tangle.microvm.chain.local.LocalDeployment;
import io.tangle.microvm.chain.testing.LocalChain;
import io.tangle.microvm.jobs.JobIndex;
import io.tangle.microvm.jobs.OwnerCheck;
import io.tangle.microvm.runtime.VmView;
import io.tangle.microvm.store.JobOutcome;
import io.tangle.microvm.store.SqliteStore;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.http.HttpService;

/**
 * Kill -9 in the middle of a stream of job calls. The operator runs as a child JVM and is killed
 * with SIGKILL once about a third of the calls have an outcome, then started again over the same
 * data directory. Whatever the kill interrupted, the end state must be that of applying every call
 * once, in chain order. So every call has the replay's outcome and every VM the replay's state.
 * Each successful call has exactly one result on chain and a failed one none, and the operator
 * sent no result transaction it did not need.
 */
class KillDuringStreamTest {

    private static final long SEED = 0x5EED_2026L;
    private static final int CALLS = 300;
    private static final int VMS = 20;

    private static final Duration READY_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration STREAM_TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @Test
    void killedOperatorEndsLikeSequentialReplay() throws Exception {
        Credentials guest = DevAccounts.account(3);
        try (LocalChain chain = LocalChain.start("kill-stream")) {
            LocalDeployment deployment = chain.deployment();
            String operator = deployment.operator().getAddress();
            new TransactionRunner(chain.web3j(), deployment.owner(), Duration.ofSeconds(30)).call(
                    deployment.contractAddress(), TangleFunctions.addPermittedCaller(deployment.serviceId(), guest.getAddress()));
            BigInteger operatorNonceBefore = transactionCount(chain, operator);

            int port = OperatorProcess.freePort();
            Map<String, String> env = OperatorEnvironment.forDeployment(deployment, deployment.operator(), dir);
            env.put("MICROVM_QUERY_ADDR", "127.0.0.1:" + port);
            QueryClient query = new QueryClient(port);
            Path log = Files.createDirectories(Path.of("target")).resolve("operator-kill-stream.log");
            Files.deleteIfExists(log);

            List<JobSender.Job> jobs = randomJobs(new Random(SEED), deployment.owner(), guest);
            JobSender sender = new JobSender(chain.web3j(), deployment.contractAddress(), deployment.serviceId(),
                    deployment.chainId());
            FutureTask<List<String>> sending = new FutureTask<>(() -> sender.send(jobs));

            try (OperatorProcess first = OperatorProcess.start(env, log)) {
                awaitReady(query, first);
                Thread.ofPlatform().name("job-stream").start(sending);

                long killAfter = CALLS / 3;
                Await.until("an outcome for call " + killAfter, STREAM_TIMEOUT,
                        () -> query.get("/jobs/" + killAfter).statusCode() == 200);
                assertThat(first.kill()).as("exit code after SIGKILL").isEqualTo(137);
            }

            long outcomesAtKill;
            try (SqliteStore store = OperatorEnvironment.openStore(deployment, dir)) {
                outcomesAtKill = store.outcomeCount();
            }
            assertThat(outcomesAtKill).as("outcomes stored when the operator was killed").isBetween(1L, CALLS - 1L);

            List<String> hashes = sending.get(STREAM_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            sender.awaitMined(hashes, STREAM_TIMEOUT);
            ChainEvents events = new ChainEvents(chain.web3j(), deployment.contractAddress(), deployment.serviceId());
            List<JobSubmittedEvent> calls = events.jobCalls(deployment.activationBlock());
            assertThat(calls).as("job calls on chain").hasSize(CALLS);
            SequentialReplay expected = SequentialReplay.of(calls, OwnerCheck.ENFORCED);

            try (OperatorProcess second = OperatorProcess.start(env, log)) {
                awaitOutcomes(query, calls);
                Await.until(expected.succeededCount() + " results from the operator on chain", STREAM_TIMEOUT,
                        () -> events.resultsFrom(operator, deployment.activationBlock()).size() >= expected.succeededCount());
                Await.until("every successful call's submission recorded as submitted", STREAM_TIMEOUT,
                        () -> unsettledSubmissions(query, expected).isEmpty());

                assertThat(outcomeMismatches(query, calls, expected)).as("outcomes that differ from the sequential replay")
                        .isEmpty();
                assertThat(resultMismatches(query, calls, expected, events.resultsFrom(operator, deployment.activationBlock())))
                        .as("calls whose results on chain differ from one per successful call").isEmpty();
                assertThat(vmViews(query)).as("VMs after the restart").isEqualTo(expectedVmViews(expected));
                // Results may share a submitResults transaction, but no transaction may be wasted:
                // each one the operator sent carries at least one of its results.
                long resultTransactions = events.resultsFrom(operator, deployment.activationBlock()).stream()
                        .map(JobResultEvent::transactionHash)
                        .distinct()
                        .count();
                assertThat(transactionCount(chain, operator).subtract(operatorNonceBefore).longValue())
                        .as("transactions the operator sent, each carrying results").isEqualTo(resultTransactions);
                assertThat(new DevChainRpc(new HttpService(deployment.rpcUrl())).poolStatus())
                        .as("transaction pool after the stream").isEqualTo(new DevChainRpc.PoolStatus(0, 0));

                second.terminate();
                assertThat(second.awaitExit(Duration.ofSeconds(30))).as("exit code after SIGTERM").isZero();
            }
        }
    }

    /**
     * Builds the stream: random jobs of every kind over {@link #VMS} VMs, a fifth of them from a second
     * permitted caller, so many fail by the transition rules or the owner check, and a few with
     * inputs that do not decode.
     */
    private static List<JobSender.Job> randomJobs(Random random, Credentials owner, Credentials guest) {
        List<JobSender.Job> jobs = new ArrayList<>(CALLS);
        for (int i = 0; i < CALLS; i++) {
            Credentials caller = random.nextInt(5) == 0 ? guest : owner;
            String vm = "vm-" + random.nextInt(VMS);
            String snapshot = "s" + random.nextInt(3);
            int roll = random.nextInt(100);

            JobSender.Job job;
            if (roll < 2) {
                byte[] garbage = new byte[1 + random.nextInt(40)];
                random.nextBytes(garbage);
                job = new JobSender.Job(caller, random.nextInt(JobIndex.RESTORE_VM + 1), garbage);
            } else if (roll < 16) {
                job = new JobSender.Job(caller, JobIndex.CREATE_VM, JobArguments.encode(vm));
            } else if (roll < 40) {
                job = new JobSender.Job(caller, JobIndex.START_VM, JobArguments.encode(vm));
            } else if (roll < 60) {
                job = new JobSender.Job(caller, JobIndex.STOP_VM, JobArguments.encode(vm));
            } else if (roll < 77) {
                job = new JobSender.Job(caller, JobIndex.SNAPSHOT_VM, JobArguments.encode(vm, snapshot));
            } else if (roll < 93) {
                job = new JobSender.Job(caller, JobIndex.RESTORE_VM, JobArguments.encode(vm, snapshot));
            } else {
                job = new JobSender.Job(caller, JobIndex.DESTROY_VM, JobArguments.encode(vm));
            }
            jobs.add(job);
        }
        return jobs;
    }

    private static void awaitReady(QueryClient query, OperatorProcess process) throws InterruptedException {
        Await.until("the operator's /readyz to return 200", READY_TIMEOUT, () -> {
            if (!process.isAlive()) {
                throw new AssertionError("the operator exited during start-up:\n" + process.logTail(40));
            }
            return query.get("/readyz").statusCode() == 200;
        });
    }

    /** Waits until every call has an outcome, checking the calls in order from the first without one. */
    private static void awaitOutcomes(QueryClient query, List<JobSubmittedEvent> calls) throws InterruptedException {
        int[] next = {0};
        Await.until("an outcome for each of the " + calls.size() + " calls", STREAM_TIMEOUT, () -> {
            while (next[0] < calls.size() && query.get("/jobs/" + calls.get(next[0]).callId()).statusCode() == 200) {
                next[0]++;
            }
            return next[0] == calls.size();
        });
    }

    private static List<Long> unsettledSubmissions(QueryClient query, SequentialReplay expected) throws Exception {
        List<Long> unsettled = new ArrayList<>();
        for (JobOutcome outcome : expected.outcomes().values()) {
            if (outcome.status() == JobOutcome.Status.SUCCEEDED) {
                JsonNode view = query.json("/jobs/" + outcome.callId()).orElseThrow();
                if (!"submitted".equals(view.path("submission").asText())) {
                    unsettled.add(outcome.callId());
                }
            }
        }
        return unsettled;
    }

    /** Returns one line per call whose outcome in {@code /jobs/{id}} differs from the replay's. */
    private static List<String> outcomeMismatches(QueryClient query, List<JobSubmittedEvent> calls,
            SequentialReplay expected) throws Exception {
        List<String> mismatches = new ArrayList<>();
        for (JobSubmittedEvent call : calls) {
            JobOutcome want = expected.outcomes().get(call.callId());
            JsonNode got = query.json("/jobs/" + call.callId()).orElse(null);
            if (want == null || got == null) {
                mismatches.add("call " + call.callId() + ": expected " + want + ", operator has " + got);
                continue;
            }

            boolean same = got.path("job_index").asInt() == want.jobIndex()
                    && got.path("job").asText().equals(want.job())
                    && got.path("status").asText().equals(want.status().wireName())
                    && Objects.equals(textOrNull(got, "vm_id"), want.vmId())
                    && Objects.equals(textOrNull(got, "error"), want.error());
            if (!same) {
                mismatches.add("call " + call.callId() + ": expected " + want + ", operator has " + got);
            }
        }
        return mismatches;
    }

    /**
     * Returns one line per call whose results from this operator are not exactly one (succeeded)
     * or none (failed), or whose recorded result transaction is not the one on chain.
     */
    private static List<String> resultMismatches(QueryClient query, List<JobSubmittedEvent> calls,
            SequentialReplay expected, List<JobResultEvent> results) throws Exception {
        Map<Long, List<JobResultEvent>> byCall = results.stream().collect(Collectors.groupingBy(JobResultEvent::callId));
        List<String> mismatches = new ArrayList<>();
        for (JobSubmittedEvent call : calls) {
            JobOutcome outcome = expected.outcomes().get(call.callId());
            List<JobResultEvent> callResults = byCall.getOrDefault(call.callId(), List.of());
            int expectedCount = outcome != null && outcome.status() == JobOutcome.Status.SUCCEEDED ? 1 : 0;
            if (callResults.size() != expectedCount) {
                mismatches.add("call " + call.callId() + " (" + outcome + "): " + callResults.size() + " results on chain");
                continue;
            }
            if (expectedCount == 1) {
                JsonNode view = query.json("/jobs/" + call.callId()).orElseThrow();
                String recorded = textOrNull(view, "result_tx");
                if (!callResults.get(0).transactionHash().equalsIgnoreCase(String.valueOf(recorded))) {
                    mismatches.add("call " + call.callId() + ": result transaction " + callResults.get(0).transactionHash()
                            + " on chain, " + recorded + " recorded");
                }
            }
        }
        byCall.keySet().stream().filter(callId -> calls.stream().noneMatch(call -> call.callId() == callId))
                .forEach(callId -> mismatches.add("call " + callId + " has a result on chain but no JobSubmitted event"));
        return mismatches;
    }

    private static List<String> vmViews(QueryClient query) throws Exception {
        List<String> views = new ArrayList<>();
        for (JsonNode vm : query.json("/vms").orElseThrow()) {
            List<String> snapshots = new ArrayList<>();
            vm.path("snapshots").forEach(snapshot -> snapshots.add(snapshot.asText()));
            views.add(vm.path("vm_id").asText() + " " + vm.path("status").asText() + " " + snapshots + " owner "
                    + textOrNull(vm, "owner"));
        }
        return views;
    }

    private static List<String> expectedVmViews(SequentialReplay expected) {
        List<String> views = new ArrayList<>();
        for (VmView vm : expected.vms()) {
            views.add(vm.vmId() + " " + vm.status().wireName() + " " + vm.snapshots() + " owner "
                    + expected.owners().get(vm.vmId()));
        }
        return views;
    }

    private static String textOrNull(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }

    private static BigInteger transactionCount(LocalChain chain, String address) throws Exception {
        return Rpc.send(chain.web3j().ethGetTransactionCount(address, DefaultBlockParameterName.LATEST)).getTransactionCount();
    }
}
