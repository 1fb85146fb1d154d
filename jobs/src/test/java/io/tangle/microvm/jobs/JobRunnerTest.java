package io.tangle.microvm.jobs;

import static io.tangle.microvm.jobs.AbiFixtures.compact;
import static io.tangle.microvm.jobs.AbiFixtures.flat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.tangle.microvm.runtime.VmOperation;
import io.tangle.microvm.runtime.VmStatus;
import io.tangle.microvm.runtime.VmView;
import io.tangle.microvm.store.InMemoryJobOutcomeStore;
import io.tangle.microvm.store.JobOutcome;
import io.tangle.microvm.store.JobOutcomeStore;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class JobRunnerTest {

    private static final String CALLER = "0x" + "12".repeat(20);
    private static final Instant NOW = Instant.parse("2026-01-02T03:04:05Z");

    private final TestVmProvider provider = new TestVmProvider();
    private final CountingStore outcomes = new CountingStore();
    private final JobRunner runner = new JobRunner(provider, outcomes, Clock.fixed(NOW, ZoneOffset.UTC));

    private final Logger runnerLog = (Logger) LoggerFactory.getLogger(JobRunner.class);
    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
    private Level previousLevel;

    @BeforeEach
    void captureLogs() {
        previousLevel = runnerLog.getLevel();
        runnerLog.setLevel(Level.INFO);
        runnerLog.setAdditive(false);
        logged.start();
        runnerLog.addAppender(logged);
    }

    @AfterEach
    void releaseLogs() {
        runnerLog.detachAppender(logged);
        runnerLog.setLevel(previousLevel);
        runnerLog.setAdditive(true);
    }

    @Test
    void createSucceedsAndRecords() {
        JobExecution execution = runner.run(call(5, JobIndex.CREATE_VM, flat("vm-1")));

        assertThat(execution).isEqualTo(new JobExecution.Succeeded(JobResults.abiTrue()));
        assertThat(provider.state.getVm("vm-1")).contains(new VmView("vm-1", VmStatus.CREATED, List.of()));
        assertThat(outcomes.find(5)).contains(JobOutcome.succeeded(5, 0, "create_vm", "vm-1", NOW));
    }

    @Test
    void everyJobReachesProvider() {
        runner.run(call(1, JobIndex.CREATE_VM, flat("vm-1")));
        runner.run(call(2, JobIndex.START_VM, compact("vm-1")));
        runner.run(call(3, JobIndex.SNAPSHOT_VM, flat("vm-1", "s1")));
        runner.run(call(4, JobIndex.STOP_VM, AbiFixtures.outer("vm-1")));
        runner.run(call(5, JobIndex.RESTORE_VM, AbiFixtures.outer("vm-1", "s1")));
        runner.run(call(6, JobIndex.DESTROY_VM, flat("vm-1")));

        assertThat(provider.applied).containsExactly("vm-1:create_vm", "vm-1:start_vm", "vm-1:snapshot_vm",
                "vm-1:stop_vm", "vm-1:restore_vm", "vm-1:destroy_vm");
        assertThat(provider.state.getVm("vm-1")).contains(new VmView("vm-1", VmStatus.DESTROYED, List.of("s1")));
    }

    @Test
    void successIsLoggedAtInfo() {
        runner.run(call(5, JobIndex.CREATE_VM, flat("vm-1")));

        ILoggingEvent event = logged.list.getLast();
        assertThat(event.getLevel()).isEqualTo(Level.INFO);
        assertThat(event.getFormattedMessage()).isEqualTo("job call 5 create_vm for vm vm-1 succeeded");
    }

    @Test
    void rejectedOperationFailsWithUpstreamMessage() {
        JobExecution execution = runner.run(call(7, JobIndex.STOP_VM, flat("vm-9")));

        assertThat(execution).isEqualTo(new JobExecution.Failed("vm 'vm-9' not found"));
        assertThat(outcomes.find(7)).contains(JobOutcome.failed(7, 2, "stop_vm", "vm-9", "vm 'vm-9' not found", NOW));
    }

    @Test
    void failureIsLoggedAtWarn() {
        runner.run(call(7, JobIndex.STOP_VM, flat("vm-9")));

        ILoggingEvent event = logged.list.getLast();
        assertThat(event.getLevel()).isEqualTo(Level.WARN);
        assertThat(event.getFormattedMessage())
                .isEqualTo("job call 7 stop_vm for vm vm-9 failed: vm 'vm-9' not found");
    }

    @Test
    void undecodableInputFailsWithoutVmId() {
        JobExecution execution = runner.run(call(8, JobIndex.CREATE_VM, new byte[] {1, 2, 3}));

        assertThat(execution).isInstanceOf(JobExecution.Failed.class);
        assertThat(((JobExecution.Failed) execution).error()).startsWith("create_vm: the 3-byte input is not an");
        JobOutcome outcome = outcomes.find(8).orElseThrow();
        assertThat(outcome.status()).isEqualTo(JobOutcome.Status.FAILED);
        assertThat(outcome.vmId()).isNull();
        assertThat(outcome.job()).isEqualTo("create_vm");
        assertThat(outcome.error()).isEqualTo(((JobExecution.Failed) execution).error());
        assertThat(provider.started).isEmpty();
        assertThat(logged.list.getLast().getFormattedMessage())
                .startsWith("job call 8 failed: create_vm: the 3-byte input is not an");
    }

    @Test
    void invalidSnapshotIdRecordsVmId() {
        JobExecution execution = runner.run(call(9, JobIndex.SNAPSHOT_VM, flat("vm-1", "a.b")));

        assertThat(execution).isInstanceOf(JobExecution.Failed.class);
        assertThat(outcomes.find(9).map(JobOutcome::vmId)).contains("vm-1");
        assertThat(logged.list.getLast().getFormattedMessage())
                .startsWith("job call 9 for vm vm-1 failed: snapshot_vm: snapshot_id 'a.b' is invalid");
    }

    @Test
    void unknownIndexIsIgnoredAndNotRecorded() {
        JobExecution execution = runner.run(call(10, 200, flat("vm-1")));

        assertThat(execution).isEqualTo(new JobExecution.Ignored());
        assertThat(outcomes.find(10)).isEmpty();
        assertThat(outcomes.records.get()).isZero();
        assertThat(logged.list.getLast().getLevel()).isEqualTo(Level.WARN);
        assertThat(logged.list.getLast().getFormattedMessage())
                .isEqualTo("job call 10 has job index 200, which has no job; ignoring it");
    }

    @Test
    void storedSuccessIsReplayedWithoutActing() {
        runner.run(call(11, JobIndex.CREATE_VM, flat("vm-1")));

        JobExecution again = runner.run(call(11, JobIndex.CREATE_VM, flat("vm-1")));

        assertThat(again).isEqualTo(new JobExecution.Succeeded(JobResults.abiTrue()));
        assertThat(provider.applied).containsExactly("vm-1:create_vm");
        assertThat(outcomes.records.get()).isEqualTo(1);
    }

    @Test
    void reusedIdOfOtherVmIsApplied() {
        runner.run(call(13, JobIndex.CREATE_VM, flat("vm-old")));

        JobExecution reused = runner.run(call(13, JobIndex.CREATE_VM, flat("vm-new")));

        assertThat(reused).isEqualTo(new JobExecution.Succeeded(JobResults.abiTrue()));
        assertThat(provider.applied).containsExactly("vm-old:create_vm", "vm-new:create_vm");
        assertThat(outcomes.find(13)).contains(JobOutcome.succeeded(13, 0, "create_vm", "vm-new", NOW));
        assertThat(logged.list.stream().filter(event -> event.getLevel() == Level.ERROR)
                .map(ILoggingEvent::getFormattedMessage))
                .singleElement().asString()
                .contains("job call 13 create_vm is applied as a new call", "vm-old", "vm-new");
    }

    @Test
    void reusedIdWithOtherArgumentsIsApplied() {
        runner.run(call(1, JobIndex.CREATE_VM, flat("vm-1")));
        runner.run(call(2, JobIndex.START_VM, flat("vm-1")));
        runner.run(call(16, JobIndex.SNAPSHOT_VM, flat("vm-1", "s1")));

        JobExecution reused = runner.run(call(16, JobIndex.SNAPSHOT_VM, flat("vm-1", "s2")));

        assertThat(reused).isEqualTo(new JobExecution.Succeeded(JobResults.abiTrue()));
        assertThat(provider.state.getVm("vm-1").orElseThrow().snapshots()).containsExactly("s1", "s2");
        assertThat(logged.list.stream().filter(event -> event.getLevel() == Level.ERROR)
                .map(ILoggingEvent::getFormattedMessage))
                .singleElement().asString()
                .contains("job call 16 snapshot_vm is applied as a new call", "other arguments or another caller");
    }

    @Test
    void sameCallDeliveredAgainIsReplayed() {
        runner.run(call(17, JobIndex.CREATE_VM, flat("vm-1")));

        JobExecution again = runner.run(new JobCall(1, 17, JobIndex.CREATE_VM, CALLER, flat("vm-1"), 200, 3));

        assertThat(again).isEqualTo(new JobExecution.Succeeded(JobResults.abiTrue()));
        assertThat(provider.applied).containsExactly("vm-1:create_vm");
    }

    @Test
    void unreplaceableOutcomeLeavesReusedIdUnapplied() {
        runner.run(call(14, JobIndex.CREATE_VM, flat("vm-old")));
        outcomes.failReplaces = true;

        JobExecution reused = runner.run(call(14, JobIndex.CREATE_VM, flat("vm-new")));

        assertThat(reused).isEqualTo(new JobExecution.Ignored());
        assertThat(provider.applied).containsExactly("vm-old:create_vm");
        assertThat(outcomes.find(14)).contains(JobOutcome.succeeded(14, 0, "create_vm", "vm-old", NOW));
    }

    @Test
    void storedFailureIsReplayedWithoutActing() {
        outcomes.record(JobOutcome.failed(12, 1, "start_vm", "vm-1", "vm 'vm-1' not found", NOW));
        provider.state.createVm("vm-1");

        JobExecution execution = runner.run(call(12, JobIndex.START_VM, flat("vm-1")));

        assertThat(execution).isEqualTo(new JobExecution.Failed("vm 'vm-1' not found"));
        assertThat(provider.started).isEmpty();
    }

    @Test
    void unexpectedExceptionIsRecordedWithStack() {
        provider.throwOn(VmOperation.CREATE, new IllegalStateException("disk on fire"));

        JobExecution execution = runner.run(call(13, JobIndex.CREATE_VM, flat("vm-1")));

        String expected = "unexpected provider failure: java.lang.IllegalStateException: disk on fire";
        assertThat(execution).isEqualTo(new JobExecution.Failed(expected));
        assertThat(outcomes.find(13).map(JobOutcome::error)).contains(expected);
        ILoggingEvent event = logged.list.getLast();
        assertThat(event.getLevel()).isEqualTo(Level.ERROR);
        assertThat(event.getThrowableProxy()).isNotNull();
        assertThat(event.getThrowableProxy().getMessage()).isEqualTo("disk on fire");
    }

    @Test
    void unexpectedExceptionWithoutMessageIsNamed() {
        provider.throwOn(VmOperation.CREATE, new NullPointerException());

        JobExecution execution = runner.run(call(14, JobIndex.CREATE_VM, flat("vm-1")));

        assertThat(execution).isEqualTo(new JobExecution.Failed(
                "unexpected provider failure: java.lang.NullPointerException"));
    }

    @Test
    void recordFailureStillReportsExecution() {
        outcomes.failRecords = true;

        JobExecution execution = runner.run(call(15, JobIndex.CREATE_VM, flat("vm-1")));

        assertThat(execution).isEqualTo(new JobExecution.Succeeded(JobResults.abiTrue()));
        assertThat(logged.list.getLast().getLevel()).isEqualTo(Level.ERROR);
        assertThat(logged.list.getLast().getFormattedMessage())
                .isEqualTo("job call 15 create_vm: could not record the succeeded outcome");
    }

    @Test
    void lookupFailurePropagates() {
        outcomes.failFinds = true;

        assertThatThrownBy(() -> runner.run(call(16, JobIndex.CREATE_VM, flat("vm-1"))))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("store unavailable");
        assertThat(provider.started).isEmpty();
    }

    @Test
    void unsignedCallIdIsLoggedUnsigned() {
        runner.run(call(-1, JobIndex.CREATE_VM, flat("vm-1")));

        assertThat(logged.list.getLast().getFormattedMessage())
                .isEqualTo("job call 18446744073709551615 create_vm for vm vm-1 succeeded");
    }

    private static JobCall call(long callId, int index, byte[] inputs) {
        return new JobCall(1, callId, index, CALLER, inputs, 100, 0);
    }

    /** An in-memory store that counts records and can be set to fail. */
    static final class CountingStore implements JobOutcomeStore {

        final AtomicInteger records = new AtomicInteger();
        volatile boolean failRecords;
        volatile boolean failFinds;
        volatile boolean failReplaces;
        private final InMemoryJobOutcomeStore delegate = new InMemoryJobOutcomeStore();

        @Override
        public void record(JobOutcome outcome) {
            if (failRecords) {
                throw new IllegalStateException("disk full");
            }
            records.incrementAndGet();
            delegate.record(outcome);
        }

        @Override
        public Optional<JobOutcome> find(long callId) {
            if (failFinds) {
                throw new IllegalStateException("store unavailable");
            }
            return delegate.find(callId);
        }

        @Override
        public boolean replace(long callId, String reason) {
            if (failReplaces) {
                throw new IllegalStateException("store unavailable");
            }
            return delegate.replace(callId, reason);
        }
    }
}
