package io.tangle.microvm.app.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tangle.microvm.app.config.ConfigException;
import io.tangle.microvm.app.config.OperatorConfig;
import io.tangle.microvm.app.config.OperatorConfigLoader;
import io.tangle.microvm.app.config.RunOptions;
import io.tangle.microvm.app.testing.OperatorEnvironment;
import io.tangle.microvm.app.testing.QueryClient;
import io.tangle.microvm.chain.JobArguments;
import io.tangle.microvm.chain.JobResultEvent;
import io.tangle.microvm.chain.local.DevAccounts;
import io.tangle.microvm.chain.local.JobClient;
import io.tangle.microvm.chain.testing.LocalChain;
import io.tangle.microvm.jobs.JobResults;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The product end to end: jobs submitted to the local Tangle contract on Anvil reach the
 * operator, which runs them on the in-memory provider, sends results on chain and shows the state in
 * the query API.
 */
class OperatorEndToEndTest {

    private static final Duration RESULT_TIMEOUT = Duration.ofSeconds(30);

    @TempDir
    static Path dir;

    private static LocalChain chain;
    private static Operator operator;
    private static JobClient customer;
    private static QueryClient query;

    @BeforeAll
    static void startOperator() throws Exception {
        chain = LocalChain.start("operator-e2e");
        Map<String, String> env = OperatorEnvironment.forDeployment(chain.deployment(), chain.deployment().operator(), dir);
        OperatorConfig config = OperatorConfigLoader.load(RunOptions.none(), env);
        operator = Operator.start(config);
        customer = new JobClient(chain.web3j(), chain.deployment().contractAddress(), chain.deployment().owner());
        query = new QueryClient(operator.queryPort());
    }

    @AfterAll
    static void stopOperator() {
        if (operator != null) {
            operator.close();
        }
        if (chain != null) {
            chain.close();
        }
    }

    private static JobResultEvent submitAndAwait(int jobIndex, byte[] inputs) throws Exception {
        long serviceId = chain.deployment().serviceId();
        JobClient.Submission submission = customer.submitJob(serviceId, jobIndex, inputs);
        Optional<JobResultEvent> result = customer.awaitResult(serviceId, submission.callId(), submission.blockNumber(),
                RESULT_TIMEOUT);
        assertThat(result).as("result of call %d (job %d)", submission.callId(), jobIndex).isPresent();
        return result.get();
    }

    @Test
    void unknownBlueprintIsConfigError() throws Exception {
        Map<String, String> env = new HashMap<>(OperatorEnvironment.forDeployment(chain.deployment(),
                DevAccounts.account(3), dir.resolve("unknown-blueprint")));
        env.put("BLUEPRINT_ID", "5");
        OperatorConfig config = OperatorConfigLoader.load(RunOptions.none(), env);

        assertThatThrownBy(() -> Operator.start(config))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("BlueprintNotFound")
                .hasMessageContaining("check BLUEPRINT_ID");
    }

    @Test
    void lifecycleJobsReachChainAndQueryApi() throws Exception {
        JobResultEvent created = submitAndAwait(0, JobArguments.encode("vm-1"));
        JobResultEvent started = submitAndAwait(1, JobArguments.encode("vm-1"));
        JobResultEvent snapshotted = submitAndAwait(3, JobArguments.encode("vm-1", "s1"));
        JobResultEvent stopped = submitAndAwait(2, JobArguments.encode("vm-1"));
        JobResultEvent destroyed = submitAndAwait(4, JobArguments.encode("vm-1"));

        for (JobResultEvent result : new JobResultEvent[] {created, started, snapshotted, stopped, destroyed}) {
            assertThat(result.result()).as("result of call %d", result.callId()).isEqualTo(JobResults.abiTrue());
            assertThat(result.operator()).isEqualToIgnoringCase(chain.deployment().operator().getAddress());
            assertThat(customer.getJobCall(result.serviceId(), result.callId()).completed()).isTrue();
        }

        HttpResponse<String> vm = query.get("/vms/vm-1");
        assertThat(vm.statusCode()).isEqualTo(200);
        assertThat(vm.body()).startsWith("{\"vm_id\":\"vm-1\",\"status\":\"destroyed\",\"snapshots\":[\"s1\"]");
        assertThat(vm.body()).contains("\"owner\":\"" + chain.deployment().owner().getAddress().toLowerCase() + "\"");
        // The submission record follows the receipt, which the operator polls for after the event appears.
        Conditions.await(() -> query.body("/jobs/" + destroyed.callId()).contains("\"submission\":\"submitted\""));
        assertThat(query.body("/jobs/" + destroyed.callId())).contains("\"status\":\"succeeded\"");
    }

    @Test
    void failedJobSendsNothingAndRecordsError() throws Exception {
        long serviceId = chain.deployment().serviceId();
        JobClient.Submission submission = customer.submitJob(serviceId, 2, JobArguments.encode("never-created"));

        Conditions.await(() -> query.get("/jobs/" + submission.callId()).statusCode() == 200);

        assertThat(query.body("/jobs/" + submission.callId()))
                .isEqualTo("{\"call_id\":" + submission.callId() + ",\"job_index\":2,\"job\":\"stop_vm\","
                        + "\"vm_id\":\"never-created\",\"status\":\"failed\",\"error\":\"vm 'never-created' not found\"}");
        assertThat(customer.getJobCall(serviceId, submission.callId()).completed()).isFalse();
    }

    @Test
    void restoreJobRunsOnChain() throws Exception {
        submitAndAwait(0, JobArguments.encode("vm-r"));
        submitAndAwait(1, JobArguments.encode("vm-r"));
        submitAndAwait(3, JobArguments.encode("vm-r", "base"));
        submitAndAwait(2, JobArguments.encode("vm-r"));

        JobResultEvent restored = submitAndAwait(5, JobArguments.encode("vm-r", "base"));

        assertThat(restored.result()).isEqualTo(JobResults.abiTrue());
        assertThat(query.body("/vms/vm-r")).contains("\"status\":\"running\"");
    }

    @Test
    void readinessReportsCaughtUp() throws Exception {
        Conditions.await(() -> query.get("/readyz").statusCode() == 200);

        assertThat(query.body("/readyz")).contains("\"ready\":true");
    }
}
