package io.tangle.microvm.jobs;

import static io.tangle.microvm.jobs.AbiFixtures.flat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import io.tangle.microvm.runtime.VmOperation;
import io.tangle.microvm.runtime.VmStatus;
import io.tangle.microvm.runtime.VmView;
import io.tangle.microvm.runtime.inmemory.InMemoryVmProvider;
import io.tangle.microvm.store.InMemoryJobOutcomeStore;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class JobDispatcherTest {

    private static final String CALLER = "0x" + "34".repeat(20);
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final TestVmProvider provider = new TestVmProvider();
    private final JobRunnerTest.CountingStore outcomes = new JobRunnerTest.CountingStore();
    private final JobRunner runner = new JobRunner(provider, outcomes, Clock.systemUTC());
    private final RecordingListener listener = new RecordingListener();
    private final JobDispatcher dispatcher = new JobDispatcher(runner, listener);
    private final List<CountDownLatch> gates = new ArrayList<>();

    @AfterEach
    void openGatesAndClose() {
        gates.forEach(CountDownLatch::countDown);
        dispatcher.close(WAIT);
    }

    @Test
    void slowVmDoesNotDelayOtherVms() throws InterruptedException {
        gate("slow");
        dispatcher.submit(create(1, "slow"));
        assertThat(provider.awaitStarted("slow", VmOperation.CREATE, 10)).isTrue();

        dispatcher.submit(create(2, "fast"));
        dispatcher.submit(call(3, JobIndex.START_VM, "fast"));
        dispatcher.submit(call(4, JobIndex.STOP_VM, "fast"));

        assertThat(listener.await(4, WAIT)).isInstanceOf(JobExecution.Succeeded.class);
        assertThat(listener.completed(1)).isFalse();
        assertThat(provider.state.getVm("fast").map(VmView::status)).contains(VmStatus.STOPPED);

        gates.getFirst().countDown();
        assertThat(listener.await(1, WAIT)).isEqualTo(new JobExecution.Succeeded(JobResults.abiTrue()));
    }

    @Test
    void sameVmCallWaitsForPreviousCall() throws InterruptedException {
        CountDownLatch gate = gate("vm-a");
        dispatcher.submit(create(1, "vm-a"));
        dispatcher.submit(call(2, JobIndex.START_VM, "vm-a"));
        assertThat(provider.awaitStarted("vm-a", VmOperation.CREATE, 10)).isTrue();

        // Another VM's call completing shows that workers are running meanwhile.
        dispatcher.submit(create(3, "vm-b"));
        listener.await(3, WAIT);
        assertThat(provider.startedLog).doesNotContain("vm-a:start_vm");

        gate.countDown();
        assertThat(listener.await(2, WAIT)).isInstanceOf(JobExecution.Succeeded.class);
        assertThat(provider.state.getVm("vm-a").map(VmView::status)).contains(VmStatus.RUNNING);
    }

    @Test
    void sameVmCallsApplyInSubmissionOrder() throws InterruptedException {
        provider.randomDelay(TimeUnit.MICROSECONDS.toNanos(300));
        List<JobCall> calls = new ArrayList<>();
        long id = 1;
        for (String vm : List.of("vm-a", "vm-b", "vm-c")) {
            calls.add(create(id++, vm));
            calls.add(call(id++, JobIndex.START_VM, vm));
            calls.add(call(id++, JobIndex.STOP_VM, vm));
            calls.add(call(id++, JobIndex.START_VM, vm));
            calls.add(call(id++, JobIndex.SNAPSHOT_VM, vm, "s1"));
            calls.add(call(id++, JobIndex.STOP_VM, vm));
            calls.add(call(id++, JobIndex.SNAPSHOT_VM, vm, "s2"));
            calls.add(call(id++, JobIndex.RESTORE_VM, vm, "s1"));
            calls.add(call(id++, JobIndex.STOP_VM, vm));
        }
        List<JobCall> interleaved = interleave(calls, 3);

        interleaved.forEach(dispatcher::submit);
        listener.awaitCount(calls.size(), WAIT);

        for (String vm : List.of("vm-a", "vm-b", "vm-c")) {
            assertThat(appliedTo(vm)).containsExactly("create_vm", "start_vm", "stop_vm", "start_vm", "snapshot_vm",
                    "stop_vm", "snapshot_vm", "restore_vm", "stop_vm");
            assertThat(provider.state.getVm(vm)).contains(new VmView(vm, VmStatus.STOPPED, List.of("s1", "s2")));
            assertThat(completedCallIds(vm)).isEqualTo(submittedCallIds(interleaved, vm));
        }
        assertThat(listener.completions()).allSatisfy(
                completion -> assertThat(completion.execution()).isInstanceOf(JobExecution.Succeeded.class));
        assertThat(provider.maxInFlightPerVm()).isEqualTo(1);
    }

    @Test
    void randomCallsMatchSequentialReplay() throws InterruptedException {
        provider.randomDelay(TimeUnit.MICROSECONDS.toNanos(200));
        Random random = new Random(42);
        List<JobCall> calls = new ArrayList<>();
        for (long id = 1; id <= 200; id++) {
            String vm = "vm-" + random.nextInt(10);
            int index = random.nextInt(6);
            boolean pair = index == JobIndex.SNAPSHOT_VM || index == JobIndex.RESTORE_VM;
            calls.add(pair ? call(id, index, vm, "s" + random.nextInt(3)) : call(id, index, vm));
        }

        calls.forEach(dispatcher::submit);
        listener.awaitCount(calls.size(), WAIT);

        // Replaying in chain order on one thread gives the expected results.
        InMemoryVmProvider expectedState = new InMemoryVmProvider();
        JobRunner sequential = new JobRunner(expectedState, new InMemoryJobOutcomeStore(), Clock.systemUTC());
        Map<Long, JobExecution> expected = new HashMap<>();
        calls.forEach(call -> expected.put(call.callId(), sequential.run(call)));

        Map<Long, JobExecution> actual = new HashMap<>();
        listener.completions().forEach(c -> actual.put(c.call().callId(), c.execution()));
        assertThat(actual).isEqualTo(expected);
        assertThat(provider.state.listVms()).isEqualTo(expectedState.listVms());
        assertThat(provider.maxInFlightPerVm()).isEqualTo(1);
    }

    @Test
    void undecodableCallFailsWhileItsVmIsBusy() throws InterruptedException {
        gate("vm-a");
        dispatcher.submit(create(1, "vm-a"));
        assertThat(provider.awaitStarted("vm-a", VmOperation.CREATE, 10)).isTrue();

        dispatcher.submit(new JobCall(1, 2, JobIndex.START_VM, CALLER, new byte[] {9, 9}, 10, 0));
        dispatcher.submit(new JobCall(1, 3, JobIndex.SNAPSHOT_VM, CALLER, flat("vm-a", "../x"), 10, 1));

        assertThat(listener.await(2, WAIT)).isInstanceOf(JobExecution.Failed.class);
        assertThat(listener.await(3, WAIT)).isInstanceOf(JobExecution.Failed.class);
        assertThat(listener.completed(1)).isFalse();
    }

    @Test
    void unknownIndexIsReportedAsIgnored() throws InterruptedException {
        dispatcher.submit(new JobCall(1, 7, 42, CALLER, flat("vm-a"), 10, 0));

        assertThat(listener.await(7, WAIT)).isEqualTo(new JobExecution.Ignored());
        assertThat(outcomes.find(7)).isEmpty();
    }

    @Test
    void duplicateDeliveryIsAppliedOnce() throws InterruptedException {
        JobCall call = create(1, "vm-a");

        dispatcher.submit(call);
        dispatcher.submit(call);
        listener.awaitCount(2, WAIT);

        assertThat(listener.completions()).extracting(RecordingListener.Completion::execution)
                .containsExactly(new JobExecution.Succeeded(JobResults.abiTrue()),
                        new JobExecution.Succeeded(JobResults.abiTrue()));
        assertThat(provider.applied).containsExactly("vm-a:create_vm");
    }

    @Test
    void listenerFailureDoesNotStopLane() throws InterruptedException {
        RecordingListener recorded = new RecordingListener();
        JobDispatcher failing = new JobDispatcher(runner, (call, execution) -> {
            recorded.onCompleted(call, execution);
            throw new IllegalStateException("listener broke");
        });

        failing.submit(create(1, "vm-a"));
        failing.submit(call(2, JobIndex.START_VM, "vm-a"));

        assertThat(recorded.await(2, WAIT)).isInstanceOf(JobExecution.Succeeded.class);
        assertThat(failing.close(WAIT)).isTrue();
    }

    @Test
    void runnerFailureIsReportedAndLaneContinues() throws InterruptedException {
        outcomes.failFinds = true;
        dispatcher.submit(create(1, "vm-a"));

        JobExecution execution = listener.await(1, WAIT);
        outcomes.failFinds = false;
        dispatcher.submit(create(2, "vm-a"));

        assertThat(execution).isEqualTo(new JobExecution.Failed(
                "job could not run: java.lang.IllegalStateException: store unavailable"));
        assertThat(listener.await(2, WAIT)).isInstanceOf(JobExecution.Succeeded.class);
    }

    @Test
    void closeWaitsForQueuedCalls() {
        provider.randomDelay(TimeUnit.MILLISECONDS.toNanos(2));
        for (long id = 1; id <= 20; id++) {
            dispatcher.submit(id % 2 == 0 ? create(id, "vm-" + id) : call(id, JobIndex.START_VM, "vm-1"));
        }

        assertThat(dispatcher.close(WAIT)).isTrue();
        assertThat(listener.completions()).hasSize(20);
    }

    @Test
    void closeTimesOutAndDropsQueuedCalls() throws InterruptedException {
        DroppedCallAppender dropped = DroppedCallAppender.attach();
        try {
            CountDownLatch gate = gate("vm-a");
            dispatcher.submit(create(1, "vm-a"));
            dispatcher.submit(call(2, JobIndex.START_VM, "vm-a"));
            assertThat(provider.awaitStarted("vm-a", VmOperation.CREATE, 10)).isTrue();

            assertThat(dispatcher.close(Duration.ofMillis(100))).isFalse();
            gate.countDown();

            assertThat(listener.await(1, WAIT)).isInstanceOf(JobExecution.Succeeded.class);
            assertThat(dropped.latch.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(dropped.message).isEqualTo("job call 2 start_vm was dropped without running because the"
                    + " dispatcher closed");
            assertThat(provider.startedLog).doesNotContain("vm-a:start_vm");
            assertThat(listener.completed(2)).isFalse();
        } finally {
            dropped.detach();
        }
    }

    @Test
    void submitAfterCloseIsRejected() {
        assertThat(dispatcher.close(WAIT)).isTrue();

        assertThatThrownBy(() -> dispatcher.submit(create(77, "vm-a")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("job dispatcher is closed: job call 77 was not accepted");
    }

    @Test
    void idleLanesHoldNoThread() throws InterruptedException {
        dispatcher.submit(create(1, "vm-a"));
        listener.await(1, WAIT);

        // The lane ends after its last call, so a later call starts a new lane and still runs.
        dispatcher.submit(call(2, JobIndex.START_VM, "vm-a"));
        assertThat(listener.await(2, WAIT)).isInstanceOf(JobExecution.Succeeded.class);
        assertThat(dispatcher.close(WAIT)).isTrue();
    }

    private CountDownLatch gate(String vmId) {
        CountDownLatch gate = provider.gate(vmId);
        gates.add(gate);
        return gate;
    }

    private List<String> appliedTo(String vm) {
        return provider.applied.stream().filter(entry -> entry.startsWith(vm + ":"))
                .map(entry -> entry.substring(vm.length() + 1)).toList();
    }

    private List<Long> completedCallIds(String vm) {
        return listener.completions().stream()
                .filter(c -> JobInputDecoder.decode(c.call().jobIndex(), c.call().inputs()).orElseThrow().vmId()
                        .equals(vm))
                .map(c -> c.call().callId()).toList();
    }

    private static List<Long> submittedCallIds(List<JobCall> calls, String vm) {
        return calls.stream()
                .filter(c -> JobInputDecoder.decode(c.jobIndex(), c.inputs()).orElseThrow().vmId().equals(vm))
                .map(JobCall::callId).toList();
    }

    /** Round-robins the per-VM runs of {@code calls} so that VMs alternate in submission order. */
    private static List<JobCall> interleave(List<JobCall> calls, int vms) {
        int perVm = calls.size() / vms;
        List<JobCall> result = new ArrayList<>();
        for (int i = 0; i < perVm; i++) {
            for (int vm = 0; vm < vms; vm++) {
                result.add(calls.get(vm * perVm + i));
            }
        }
        return result;
    }

    private static JobCall create(long callId, String vmId) {
        return call(callId, JobIndex.CREATE_VM, vmId);
    }

    private static JobCall call(long callId, int index, String... ids) {
        return new JobCall(1, callId, index, CALLER, flat(ids), 100 + callId, 0);
    }

    /** Counts down when the dispatcher logs a dropped call. */
    private static final class DroppedCallAppender extends AppenderBase<ILoggingEvent> {

        final CountDownLatch latch = new CountDownLatch(1);
        volatile String message;
        private final Logger logger = (Logger) LoggerFactory.getLogger(JobDispatcher.class);

        static DroppedCallAppender attach() {
            DroppedCallAppender appender = new DroppedCallAppender();
            appender.start();
            appender.logger.addAppender(appender);
            return appender;
        }

        void detach() {
            logger.detachAppender(this);
        }

        @Override
        protected void append(ILoggingEvent event) {
            if (event.getFormattedMessage().contains("dropped without running")) {
                message = event.getFormattedMessage();
                latch.countDown();
            }
        }
    }
}
