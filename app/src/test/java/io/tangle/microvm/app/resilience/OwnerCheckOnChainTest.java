package io.tangle.microvm.app.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import io.tangle.microvm.app.config.OperatorConfigLoader;
import io.tangle.microvm.app.config.RunOptions;
import io.tangle.microvm.app.operator.Operator;
import io.tangle.microvm.app.testing.Await;
import io.tangle.microvm.app.testing.ChainEvents;
import io.tangle.microvm.app.testing.OperatorEnvironment;
import io.tangle.microvm.app.testing.QueryClient;
import io.tangle.microvm.chain.JobArguments;
import io.tangle.microvm.chain.JobResultEvent;
import io.tangle.microvm.chain.TangleFunctions;
import io.tangle.microvm.chain.TransactionRunner;
import io.tangle.microvm.chain.local.DevAccounts;
import io.tangle.microvm.chain.local.JobClient;
import io.tangle.microvm.chain.local.LocalDeployment;
import io.tangle.microvm.chain.testing.LocalChain;
import io.tangle.microvm.jobs.JobIndex;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.Credentials;

/**
 * The owner check through the chain: a second permitted caller of the service, added by the owner
 * with {@code addPermittedCaller}, cannot stop or destroy a VM the owner created, and the other way
 * round. Such a call fails with an error naming the caller and the VM and gets no result on chain.
 * With {@code MICROVM_NO_OWNER_CHECK=true} any permitted caller may act on any VM, as in the Rust
 * blueprint.
 */
class OwnerCheckOnChainTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private LocalChain chain;
    private Operator operator;

    @AfterEach
    void stop() {
        if (operator != null) {
            operator.close();
        }
        if (chain != null) {
            chain.close();
        }
    }

    @Test
    void otherCallerCannotStopOrDestroy() throws Exception {
        Fixture fixture = start("owner-check", Map.of());
        String owner = address(fixture.deployment.owner());
        String guest = address(fixture.guestKey);

        fixture.applied(fixture.owner, JobIndex.CREATE_VM, "vm-o");
        fixture.applied(fixture.owner, JobIndex.START_VM, "vm-o");
        fixture.applied(fixture.guest, JobIndex.CREATE_VM, "vm-g");
        long stop = fixture.submit(fixture.guest, JobIndex.STOP_VM, "vm-o");
        long destroy = fixture.submit(fixture.guest, JobIndex.DESTROY_VM, "vm-o");
        long ownerDestroy = fixture.submit(fixture.owner, JobIndex.DESTROY_VM, "vm-g");
        fixture.query.awaitIdle(TIMEOUT);

        assertThat(fixture.query.body("/jobs/" + stop)).as("guest's stop_vm on the owner's VM").isEqualTo(
                failedView(stop, JobIndex.STOP_VM, "stop_vm", "vm-o", guest, owner));
        assertThat(fixture.query.body("/jobs/" + destroy)).as("guest's destroy_vm on the owner's VM").isEqualTo(
                failedView(destroy, JobIndex.DESTROY_VM, "destroy_vm", "vm-o", guest, owner));
        assertThat(fixture.query.body("/jobs/" + ownerDestroy)).as("owner's destroy_vm on the guest's VM").isEqualTo(
                failedView(ownerDestroy, JobIndex.DESTROY_VM, "destroy_vm", "vm-g", owner, guest));
        for (long callId : List.of(stop, destroy, ownerDestroy)) {
            assertThat(fixture.results(callId)).as("results for rejected call %d", callId).isEmpty();
            assertThat(fixture.owner.getJobCall(fixture.deployment.serviceId(), callId).completed())
                    .as("rejected call %d completed on chain", callId).isFalse();
        }
        assertThat(fixture.query.body("/vms/vm-o")).as("the owner's VM").contains("\"status\":\"running\"",
                "\"owner\":\"" + owner + "\"");
        assertThat(fixture.query.body("/vms/vm-g")).as("the guest's VM").contains("\"status\":\"created\"",
                "\"owner\":\"" + guest + "\"");
    }

    @Test
    void disabledCheckLetsOtherCallerAct() throws Exception {
        Fixture fixture = start("owner-check-off", Map.of("MICROVM_NO_OWNER_CHECK", "true"));

        fixture.applied(fixture.owner, JobIndex.CREATE_VM, "vm-o");
        fixture.applied(fixture.owner, JobIndex.START_VM, "vm-o");
        long stop = fixture.applied(fixture.guest, JobIndex.STOP_VM, "vm-o");
        long destroy = fixture.applied(fixture.guest, JobIndex.DESTROY_VM, "vm-o");

        assertThat(fixture.query.body("/jobs/" + stop)).as("guest's stop_vm").contains("\"status\":\"succeeded\"");
        assertThat(fixture.query.body("/jobs/" + destroy)).as("guest's destroy_vm").contains("\"status\":\"succeeded\"");
        assertThat(fixture.query.body("/vms/vm-o")).as("the owner's VM").contains("\"status\":\"destroyed\"");
    }

    private Fixture start(String name, Map<String, String> extraEnv) throws Exception {
        chain = LocalChain.start(name);
        LocalDeployment deployment = chain.deployment();
        Credentials guestKey = DevAccounts.account(3);
        new TransactionRunner(chain.web3j(), deployment.owner(), TIMEOUT).call(deployment.contractAddress(),
                TangleFunctions.addPermittedCaller(deployment.serviceId(), guestKey.getAddress()));

        Map<String, String> env = OperatorEnvironment.forDeployment(deployment, deployment.operator(), dir);
        env.putAll(extraEnv);
        operator = Operator.start(OperatorConfigLoader.load(RunOptions.none(), env));
        return new Fixture(chain, deployment, guestKey, new QueryClient(operator.queryPort()));
    }

    private static String failedView(long callId, int jobIndex, String job, String vmId, String caller, String owner) {
        return "{\"call_id\":" + callId + ",\"job_index\":" + jobIndex + ",\"job\":\"" + job + "\",\"vm_id\":\"" + vmId
                + "\",\"status\":\"failed\",\"error\":\"caller " + caller + " is not the owner of vm '" + vmId
                + "': only " + owner + " may run " + job + " on it\"}";
    }

    private static String address(Credentials key) {
        return key.getAddress().toLowerCase(Locale.ROOT);
    }

    /** The deployment with the owner and a second permitted caller as customers. */
    private static final class Fixture {

        private final LocalChain chain;
        private final LocalDeployment deployment;
        private final Credentials guestKey;
        private final JobClient owner;
        private final JobClient guest;
        private final QueryClient query;

        Fixture(LocalChain chain, LocalDeployment deployment, Credentials guestKey, QueryClient query) {
            this.chain = chain;
            this.deployment = deployment;
            this.guestKey = guestKey;
            this.owner = new JobClient(chain.web3j(), deployment.contractAddress(), deployment.owner());
            this.guest = new JobClient(chain.web3j(), deployment.contractAddress(), guestKey);
            this.query = query;
        }

        /** Submits a job and waits for the operator's outcome; returns the call id. */
        long submit(JobClient customer, int jobIndex, String vmId) throws Exception {
            long callId = customer.submitJob(deployment.serviceId(), jobIndex, JobArguments.encode(vmId)).callId();
            Await.until("an outcome for call " + callId, TIMEOUT, () -> query.get("/jobs/" + callId).statusCode() == 200);
            return callId;
        }

        /** Submits a job and waits for its result on chain; returns the call id. */
        long applied(JobClient customer, int jobIndex, String vmId) throws Exception {
            JobClient.Submission submission = customer.submitJob(deployment.serviceId(), jobIndex, JobArguments.encode(vmId));
            assertThat(customer.awaitResult(deployment.serviceId(), submission.callId(), submission.blockNumber(), TIMEOUT))
                    .as("result of call %d (job %d on %s)", submission.callId(), jobIndex, vmId).isPresent();
            return submission.callId();
        }

        List<JobResultEvent> results(long callId) throws Exception {
            return new ChainEvents(chain.web3j(), deployment.contractAddress(), deployment.serviceId())
                    .results(deployment.activationBlock()).stream().filter(result -> result.callId() == callId).toList();
        }
    }
}
