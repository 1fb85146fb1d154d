package io.tangle.microvm.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.tangle.microvm.runtime.inmemory.InMemoryVmProvider;
import io.tangle.microvm.store.InMemoryJobOutcomeStore;
import java.time.Clock;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CallFilterTest {

    private static final String CALLER = "0x" + "a".repeat(40);

    @Test
    void skippedCallActsNotAndRecordsNothing() {
        InMemoryVmProvider provider = new InMemoryVmProvider();
        InMemoryJobOutcomeStore outcomes = new InMemoryJobOutcomeStore();
        JobRunner runner = new JobRunner(provider, new OutcomeStoreJournal(outcomes), OwnerCheck.ENFORCED,
                call -> Optional.of("completed on chain"), Clock.systemUTC());

        JobExecution execution = runner.run(new JobCall(0, 4, JobIndex.CREATE_VM, CALLER, AbiFixtures.flat("vm-1"), 1, 0));

        assertThat(execution).isInstanceOf(JobExecution.Ignored.class);
        assertThat(provider.getVm("vm-1")).isEmpty();
        assertThat(outcomes.find(4)).isEmpty();
    }
}
