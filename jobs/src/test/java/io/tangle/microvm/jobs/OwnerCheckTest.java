package io.tangle.microvm.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.tangle.microvm.runtime.VmStatus;
import io.tangle.microvm.runtime.inmemory.InMemoryVmProvider;
import io.tangle.microvm.store.InMemoryJobOutcomeStore;
import io.tangle.microvm.store.JobOutcome;
import java.time.Clock;
import org.junit.jupiter.api.Test;

class OwnerCheckTest {

    private static final String OWNER = "0x" + "a".repeat(40);
    private static final String STRANGER = "0x" + "b".repeat(40);

    private final InMemoryVmProvider provider = new InMemoryVmProvider();
    private final InMemoryJobOutcomeStore outcomes = new InMemoryJobOutcomeStore();

    private JobRunner runner(OwnerCheck check) {
        return new JobRunner(provider, new OutcomeStoreJournal(outcomes), check, Clock.systemUTC());
    }

    private static JobCall call(long callId, int jobIndex, String caller) {
        return new JobCall(0, callId, jobIndex, caller, AbiFixtures.flat("vm-1"), 1, callId);
    }

    @Test
    void strangerCannotDestroyOwnersVm() {
        JobRunner runner = runner(OwnerCheck.ENFORCED);
        runner.run(call(0, JobIndex.CREATE_VM, OWNER));

        JobExecution execution = runner.run(call(1, JobIndex.DESTROY_VM, STRANGER));

        assertThat(execution).isInstanceOf(JobExecution.Failed.class);
        assertThat(((JobExecution.Failed) execution).error())
                .isEqualTo("caller " + STRANGER + " is not the owner of vm 'vm-1': only " + OWNER
                        + " may run destroy_vm on it");
        assertThat(provider.getVm("vm-1").orElseThrow().status()).isEqualTo(VmStatus.CREATED);
        assertThat(outcomes.find(1).orElseThrow().status()).isEqualTo(JobOutcome.Status.FAILED);
    }

    @Test
    void ownerCanStartOwnVm() {
        JobRunner runner = runner(OwnerCheck.ENFORCED);
        runner.run(call(0, JobIndex.CREATE_VM, OWNER));

        JobExecution execution = runner.run(call(1, JobIndex.START_VM, OWNER));

        assertThat(execution).isInstanceOf(JobExecution.Succeeded.class);
        assertThat(provider.getVm("vm-1").orElseThrow().status()).isEqualTo(VmStatus.RUNNING);
    }

    @Test
    void disabledCheckLetsAnyCallerAct() {
        JobRunner runner = runner(OwnerCheck.DISABLED);
        runner.run(call(0, JobIndex.CREATE_VM, OWNER));

        JobExecution execution = runner.run(call(1, JobIndex.DESTROY_VM, STRANGER));

        assertThat(execution).isInstanceOf(JobExecution.Succeeded.class);
        assertThat(provider.getVm("vm-1").orElseThrow().status()).isEqualTo(VmStatus.DESTROYED);
    }

    @Test
    void failedCreateRecordsNoOwner() {
        JobRunner runner = runner(OwnerCheck.ENFORCED);
        runner.run(call(0, JobIndex.CREATE_VM, OWNER));
        runner.run(call(1, JobIndex.CREATE_VM, STRANGER));

        JobExecution execution = runner.run(call(2, JobIndex.START_VM, OWNER));

        assertThat(execution).isInstanceOf(JobExecution.Succeeded.class);
    }
}
