package io.tangle.microvm.app.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.tangle.microvm.app.config.OperatorConfigLoader;
import io.tangle.microvm.app.config.RunOptions;
import io.tangle.microvm.app.testing.OperatorEnvironment;
import io.tangle.microvm.app.testing.QueryClient;
import io.tangle.microvm.chain.JobArguments;
import io.tangle.microvm.chain.JobResultEvent;
import io.tangle.microvm.chain.local.JobClient;
import io.tangle.microvm.chain.testing.LocalChain;
import io.tangle.microvm.jobs.JobResults;
import io.tangle.microvm.store.ServiceKey;
import io.tangle.microvm.store.SnapshotRecord;
import io.tangle.microvm.store.SqliteStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every lifecycle job through the chain on real QEMU guests under TCG: the guest boots on start,
 * pauses on stop, is saved by snapshot and replaced by restore, and is gone after destroy.
 */
class QemuOperatorEndToEndTest {

    private static final Duration RESULT_TIMEOUT = Duration.ofSeconds(90);

    @TempDir
    Path dir;

    @Test
    void lifecycleRunsOnRealGuest() throws Exception {
        try (LocalChain chain = LocalChain.start("operator-qemu")) {
            Map<String, String> env = OperatorEnvironment.forDeployment(chain.deployment(), chain.deployment().operator(), dir);
            env.put("MICROVM_PROVIDER", "qemu");
            env.put("MICROVM_QEMU_MEM_MIB", "128");
            env.put("MICROVM_QEMU_ACCEL", "tcg");

            Operator operator = Operator.start(OperatorConfigLoader.load(RunOptions.none(), env));
            try {
                JobClient customer = new JobClient(chain.web3j(), chain.deployment().contractAddress(),
                        chain.deployment().owner());
                QueryClient query = new QueryClient(operator.queryPort());
                long serviceId = chain.deployment().serviceId();

                succeed(customer, serviceId, 0, JobArguments.encode("guest-1"));
                succeed(customer, serviceId, 1, JobArguments.encode("guest-1"));
                assertThat(query.body("/vms/guest-1/console")).contains("MICROVM-READY");

                succeed(customer, serviceId, 3, JobArguments.encode("guest-1", "s1"));
                succeed(customer, serviceId, 2, JobArguments.encode("guest-1"));
                assertThat(query.body("/vms/guest-1")).contains("\"status\":\"stopped\"", "\"snapshots\":[\"s1\"]");

                succeed(customer, serviceId, 5, JobArguments.encode("guest-1", "s1"));
                assertThat(query.body("/vms/guest-1")).contains("\"status\":\"running\"");

                succeed(customer, serviceId, 4, JobArguments.encode("guest-1"));
                assertThat(query.body("/vms/guest-1")).contains("\"status\":\"destroyed\"");
            } finally {
                operator.close();
            }

            try (SqliteStore store = SqliteStore.open(dir.resolve("data"), new ServiceKey(chain.deployment().chainId(),
                    chain.deployment().contractAddress(), chain.deployment().serviceId()))) {
                SnapshotRecord snapshot = store.findVm("guest-1").orElseThrow().snapshots().get(0);
                assertThat(snapshot.sizeBytes()).isPositive();
                assertThat(snapshot.digest()).startsWith("sha256:");
            }
        }
    }

    private static void succeed(JobClient customer, long serviceId, int jobIndex, byte[] inputs) throws Exception {
        JobClient.Submission submission = customer.submitJob(serviceId, jobIndex, inputs);
        Optional<JobResultEvent> result = customer.awaitResult(serviceId, submission.callId(), submission.blockNumber(),
                RESULT_TIMEOUT);

        assertThat(result).as("result of call %d (job %d)", submission.callId(), jobIndex).isPresent();
        assertThat(result.get().result()).isEqualTo(JobResults.abiTrue());
    }
}
