package io.tangle.microvm.app.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tangle.microvm.app.config.OperatorConfigLoader;
import io.tangle.microvm.app.config.RunOptions;
import io.tangle.microvm.app.operator.Operator;
import io.tangle.microvm.app.testing.Await;
import io.tangle.microvm.app.testing.ChainEvents;
import io.tangle.microvm.app.testing.JobSender;
import io.tangle.microvm.app.testing.OperatorEnvironment;
import io.tangle.microvm.app.testing.QueryClient;
import io.tangle.microvm.app.testing.SequentialReplay;
import io.tangle.microvm.chain.JobArguments;
import io.tangle.microvm.chain.JobResultEvent;
import io.tangle.microvm.chain.JobSubmittedEvent;
import io.tangle.microvm.chain.local.DevAccounts;
import io.tangle.microvm.chain.local.LocalDeployment;
import io.tangle.microvm.chain.local.LocalTangleDeployer;
import io.tangle.microvm.chain.testing.LocalChain;
import io.tangle.microvm.jobs.JobIndex;
import io.tangle.microvm.jobs.OwnerCheck;
import io.tangle.microvm.runtime.VmView;
import io.tangle.microvm.store.JobOutcome;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.Credentials;

/**
 * Two operators of one service, each with its own data directory and query API, submitting results
 * for the same calls, where one result completes a call. Each operator keeps its own copy of every
 * VM, so both must apply every call in chain order, whichever submits first. An operator that
 * skipped a call the other completed would go on from a VM state that the chain's calls never
 * produced.
 */
class TwoOperatorsTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private LocalChain chain;
    private final List<Operator> operators = new ArrayList<>();

    @AfterEach
    void stop() {
        operators.forEach(Operator::close);
        if (chain != null) {
            chain.close();
        }
    }

    @Test
    void oneResultCompletesEachCall() throws Exception {
        chain = LocalChain.start("two-operators", LocalTangleDeployer.Request.defaults()
                .withOperators(List.of(DevAccounts.operator(), DevAccounts.account(2))));
        LocalDeployment deployment = chain.deployment();
        QueryClient first = startOperator(deployment, 0, "first");
        QueryClient second = startOperator(deployment, 1, "second");

        List<JobSubmittedEvent> calls = sendAndAwaitOutcomes(deployment, stream(deployment.owner()), List.of(first, second));
        SequentialReplay expected = SequentialReplay.of(calls, OwnerCheck.ENFORCED);
        Await.until(expected.succeededCount() + " results on chain", TIMEOUT,
                () -> events(deployment).results(deployment.activationBlock()).size() >= expected.succeededCount());
        first.awaitIdle(TIMEOUT);
        second.awaitIdle(TIMEOUT);

        Map<Long, List<JobResultEvent>> results = events(deployment).results(deployment.activationBlock()).stream()
                .collect(Collectors.groupingBy(JobResultEvent::callId));
        List<String> problems = new ArrayList<>();
        for (JobSubmittedEvent call : calls) {
            JobOutcome outcome = expected.outcomes().get(call.callId());
            List<JobResultEvent> callResults = results.getOrDefault(call.callId(), List.of());
            JsonNode firstView = first.json("/jobs/" + call.callId()).orElseThrow();
            JsonNode secondView = second.json("/jobs/" + call.callId()).orElseThrow();
            problems.addAll(viewProblems("first", call, outcome, firstView));
            problems.addAll(viewProblems("second", call, outcome, secondView));

            if (outcome.status() == JobOutcome.Status.FAILED) {
                if (!callResults.isEmpty()) {
                    problems.add("failed call " + call.callId() + " has " + callResults.size() + " results on chain");
                }
                continue;
            }
            if (callResults.size() != 1) {
                problems.add("call " + call.callId() + " has " + callResults.size() + " results on chain");
                continue;
            }
            List<String> submissions = List.of(firstView.path("submission").asText(), secondView.path("submission").asText());
            if (!submissions.containsAll(List.of("submitted", "already_done"))) {
                problems.add("call " + call.callId() + " submissions " + submissions
                        + ", expected one submitted and one already_done");
            }
            JsonNode winner = "submitted".equals(submissions.get(0)) ? firstView : secondView;
            if (!callResults.get(0).transactionHash().equals(winner.path("result_tx").asText())) {
                problems.add("call " + call.callId() + " has its result on chain in " + callResults.get(0).transactionHash()
                        + ", but the submitting operator recorded " + winner.path("result_tx").asText());
            }
        }

        assertThat(problems).as("calls whose views or results break the two-operator contract").isEmpty();
        assertThat(first.body("/vms")).as("VMs of the first operator").isEqualTo(second.body("/vms"));
        assertThat(vmStatuses(first)).as("VM statuses of the first operator").isEqualTo(expectedStatuses(expected));
    }

    @Test
    void restartedOperatorAppliesCompletedCalls() throws Exception {
        chain = LocalChain.start("two-operators-stale", LocalTangleDeployer.Request.defaults()
                .withOperators(List.of(DevAccounts.operator(), DevAccounts.account(2))));
        LocalDeployment deployment = chain.deployment();
        Credentials owner = deployment.owner();
        QueryClient first = startOperator(deployment, 0, "first");
        QueryClient second = startOperator(deployment, 1, "second");

        sendAndAwaitOutcomes(deployment, List.of(
                new JobSender.Job(owner, JobIndex.CREATE_VM, JobArguments.encode("vm-x")),
                new JobSender.Job(owner, JobIndex.START_VM, JobArguments.encode("vm-x"))), List.of(first, second));
        second.awaitIdle(TIMEOUT);
        operators.remove(1).close();

        sendAndAwaitOutcomes(deployment, List.of(new JobSender.Job(owner, JobIndex.DESTROY_VM, JobArguments.encode("vm-x"))),
                List.of(first));
        first.awaitIdle(TIMEOUT);
        QueryClient restarted = startOperator(deployment, 1, "second");

        List<JobSubmittedEvent> calls = sendAndAwaitOutcomes(deployment,
                List.of(new JobSender.Job(owner, JobIndex.STOP_VM, JobArguments.encode("vm-x"))), List.of(first, restarted));
        first.awaitIdle(TIMEOUT);
        restarted.awaitIdle(TIMEOUT);
        long stopCall = calls.get(calls.size() - 1).callId();

        assertThat(events(deployment).results(deployment.activationBlock()).stream().filter(result -> result.callId() == stopCall))
                .as("results for stop_vm on the destroyed vm-x").isEmpty();
        assertThat(restarted.body("/jobs/" + stopCall)).as("the restarted operator's outcome of stop_vm")
                .contains("\"status\":\"failed\"", "destroyed -> stopped");
        assertThat(restarted.body("/vms/vm-x")).as("vm-x at the restarted operator").contains("\"status\":\"destroyed\"");
    }

    private QueryClient startOperator(LocalDeployment deployment, int index, String name) throws Exception {
        Credentials key = deployment.operators().get(index);
        Map<String, String> env = OperatorEnvironment.forDeployment(deployment, key, dir.resolve(name));
        Operator operator = Operator.start(OperatorConfigLoader.load(RunOptions.none(), env));
        operators.add(index, operator);
        return new QueryClient(operator.queryPort());
    }

    /** Sends the jobs and waits until each operator has an outcome for each call; returns all calls so far. */
    private List<JobSubmittedEvent> sendAndAwaitOutcomes(LocalDeployment deployment, List<JobSender.Job> jobs,
            List<QueryClient> queries) throws Exception {
        JobSender sender = new JobSender(chain.web3j(), deployment.contractAddress(), deployment.serviceId(),
                deployment.chainId());
        sender.awaitMined(sender.send(jobs), TIMEOUT);
        List<JobSubmittedEvent> calls = events(deployment).jobCalls(deployment.activationBlock());
        for (JobSubmittedEvent call : calls.subList(calls.size() - jobs.size(), calls.size())) {
            for (QueryClient query : queries) {
                Await.until("an outcome for call " + call.callId() + " at every operator", TIMEOUT,
                        () -> query.get("/jobs/" + call.callId()).statusCode() == 200);
            }
        }
        return calls;
    }

    private static List<JobSender.Job> stream(Credentials owner) {
        List<JobSender.Job> jobs = new ArrayList<>();
        for (int vm = 0; vm < 5; vm++) {
            String id = "vm-" + vm;
            jobs.add(new JobSender.Job(owner, JobIndex.CREATE_VM, JobArguments.encode(id)));
            jobs.add(new JobSender.Job(owner, JobIndex.START_VM, JobArguments.encode(id)));
            jobs.add(new JobSender.Job(owner, JobIndex.SNAPSHOT_VM, JobArguments.encode(id, "s1")));
            jobs.add(new JobSender.Job(owner, JobIndex.SNAPSHOT_VM, JobArguments.encode(id, "s1")));
            jobs.add(new JobSender.Job(owner, vm % 2 == 0 ? JobIndex.DESTROY_VM : JobIndex.STOP_VM, JobArguments.encode(id)));
            jobs.add(new JobSender.Job(owner, JobIndex.STOP_VM, JobArguments.encode(id)));
        }
        return jobs;
    }

    private static List<String> viewProblems(String operator, JobSubmittedEvent call, JobOutcome expected, JsonNode view) {
        JsonNode error = view.get("error");
        boolean same = view.path("status").asText().equals(expected.status().wireName())
                && Objects.equals(error == null ? null : error.asText(), expected.error());
        return same ? List.of() : List.of("the " + operator + " operator's view of call " + call.callId() + " is " + view
                + ", expected " + expected);
    }

    private static List<String> vmStatuses(QueryClient query) throws Exception {
        List<String> statuses = new ArrayList<>();
        for (JsonNode vm : query.json("/vms").orElseThrow()) {
            statuses.add(vm.path("vm_id").asText() + " " + vm.path("status").asText() + " " + vm.path("snapshots"));
        }
        return statuses;
    }

    private static List<String> expectedStatuses(SequentialReplay expected) {
        List<String> statuses = new ArrayList<>();
        for (VmView vm : expected.vms()) {
            statuses.add(vm.vmId() + " " + vm.status().wireName() + " "
                    + vm.snapshots().stream().map(name -> "\"" + name + "\"").collect(Collectors.joining(",", "[", "]")));
        }
        return statuses;
    }

    private ChainEvents events(LocalDeployment deployment) {
        return new ChainEvents(chain.web3j(), deployment.contractAddress(), deployment.serviceId());
    }
}
