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
import io.tangle.microvm.chain.JobSubmittedEvent;
import io.tangle.microvm.chain.Rpc;
import io.tangle.microvm.chain.local.DevAccounts;
import io.tangle.microvm.chain.local.JobClient;
import io.tangle.microvm.chain.local.LocalDeployment;
import io.tangle.microvm.chain.testing.LocalChain;
import io.tangle.microvm.jobs.JobCall;
import io.tangle.microvm.jobs.JobCompletionListener;
import io.tangle.microvm.jobs.JobDispatcher;
import io.tangle.microvm.jobs.JobExecution;
import io.tangle.microvm.jobs.JobIndex;
import io.tangle.microvm.jobs.JobResults;
import io.tangle.microvm.jobs.JobRunner;
import io.tangle.microvm.jobs.OwnerCheck;
import io.tangle.microvm.jobs.StoreJobJournal;
import io.tangle.microvm.runtime.VmRuntime;
import io.tangle.microvm.runtime.VmView;
import io.tangle.microvm.runtime.inmemory.InMemoryVmProvider;
import io.tangle.microvm.store.ChainCursor;
import io.tangle.microvm.store.ServiceKey;
import io.tangle.microvm.store.SqliteStore;
import io.tangle.microvm.store.VmRecord;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.core.DefaultBlockParameter;
import org.web3j.protocol.core.DefaultBlockParameterName;

/**
 * A call delivered more than once is applied once and gets one result on chain. The tests deliver
 * calls again through a restart whose stored cursor lies before calls that were already applied,
 * and by handing the dispatcher the same call twice while the first delivery is still running.
 */
class DuplicateDeliveryTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final String OWNER = "0x" + "ab".repeat(20);

    @TempDir
    Path dir;

    @Test
    void rescanFromRewoundCursorAppliesNothingTwice() throws Exception {
        try (LocalChain chain = LocalChain.start("duplicate-rescan")) {
            LocalDeployment deployment = chain.deployment();
            Map<String, String> env = OperatorEnvironment.forDeployment(deployment, deployment.operator(), dir);
            ChainEvents events = new ChainEvents(chain.web3j(), deployment.contractAddress(), deployment.serviceId());
            String operatorAddress = deployment.operator().getAddress();

            List<JobSubmittedEvent> calls;
            Map<Long, String> jobViews;
            String vmsBefore;
            int resultsBefore;
            BigInteger transactionsBefore;
            Operator first = Operator.start(OperatorConfigLoader.load(RunOptions.none(), env));
            try {
                QueryClient query = new QueryClient(first.queryPort());
                calls = submitAndSettle(chain, firstStream(deployment.owner()), query);
                jobViews = jobViews(query, calls);
                vmsBefore = query.body("/vms");
                resultsBefore = events.resultsFrom(operatorAddress, deployment.activationBlock()).size();
                transactionsBefore = transactionCount(chain, operatorAddress);
            } finally {
                first.close();
            }
            assertThat(resultsBefore).as("results before the rescan")
                    .isEqualTo(SequentialReplay.of(calls, OwnerCheck.ENFORCED).succeededCount());

            rewindCursor(chain, deployment, deployment.activationBlock() - 1);

            try (LogCapture runnerLog = LogCapture.of(JobRunner.class.getName())) {
                Operator second = Operator.start(OperatorConfigLoader.load(RunOptions.none(), env));
                try {
                    QueryClient query = new QueryClient(second.queryPort());
                    for (JobSubmittedEvent call : calls) {
                        Await.until("call " + call.callId() + " delivered again and replayed", TIMEOUT,
                                () -> !runnerLog.find(Level.INFO, "job call " + call.callId() + " ",
                                        "already has a").isEmpty());
                    }
                    query.awaitIdle(TIMEOUT);

                    assertThat(query.body("/vms")).as("VMs after the rescan").isEqualTo(vmsBefore);
                    assertThat(jobViews(query, calls)).as("job views after the rescan").isEqualTo(jobViews);
                    assertThat(events.resultsFrom(operatorAddress, deployment.activationBlock())).as("results after the rescan")
                            .hasSize(resultsBefore);
                    assertThat(transactionCount(chain, operatorAddress)).as("operator transactions after the rescan")
                            .isEqualTo(transactionsBefore);

                    JobClient customer = new JobClient(chain.web3j(), deployment.contractAddress(), deployment.owner());
                    JobClient.Submission fresh = customer.submitJob(deployment.serviceId(), JobIndex.CREATE_VM,
                            JobArguments.encode("vm-after-rescan"));
                    assertThat(customer.awaitResult(deployment.serviceId(), fresh.callId(), fresh.blockNumber(), TIMEOUT))
                            .as("result of a new call after the rescan").isPresent();
                } finally {
                    second.close();
                }
            }
        }
    }

    @Test
    void duplicateDispatchIsAppliedOnce() throws Exception {
        ServiceKey key = new ServiceKey(31337, "0x" + "11".repeat(20), 0);
        JobCall create = call(1, JobIndex.CREATE_VM, JobArguments.encode("vm-dup"), 10);
        JobCall failingStop = call(2, JobIndex.STOP_VM, JobArguments.encode("vm-dup"), 11);

        try (SqliteStore store = SqliteStore.open(dir, key)) {
            CountingProvider provider = new CountingProvider(new InMemoryVmProvider());
            RecordingListener listener = new RecordingListener();
            JobDispatcher dispatcher = dispatcher(store, provider, listener);

            dispatcher.submit(create);
            assertThat(provider.createEntered.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS))
                    .as("first create reached the provider").isTrue();
            dispatcher.submit(copyOf(create));
            dispatcher.submit(failingStop);
            dispatcher.submit(copyOf(failingStop));
            provider.releaseCreate.countDown();
            assertThat(dispatcher.close(TIMEOUT)).as("dispatcher drained").isTrue();

            assertThat(listener.executions(1)).as("both deliveries of the create")
                    .containsExactly(new JobExecution.Succeeded(JobResults.abiTrue()),
                            new JobExecution.Succeeded(JobResults.abiTrue()));
            assertThat(listener.executions(2)).as("both deliveries of the failing stop")
                    .containsExactly(new JobExecution.Failed("invalid vm transition for 'vm-dup': created -> stopped"),
                            new JobExecution.Failed("invalid vm transition for 'vm-dup': created -> stopped"));
            assertThat(provider.calls).as("provider operations")
                    .isEqualTo(Map.of("create vm-dup", 1, "stop vm-dup", 1));
            assertThat(store.outcomeCount()).as("stored outcomes").isEqualTo(2);
            assertThat(store.findVm("vm-dup").map(VmRecord::owner)).as("owner of vm-dup").contains(OWNER);
        }

        try (SqliteStore reopened = SqliteStore.open(dir, key)) {
            List<VmView> restoredVms = reopened.listVms().stream().map(VmRecord::toView).toList();
            CountingProvider provider = new CountingProvider(new InMemoryVmProvider(restoredVms));
            provider.releaseCreate.countDown();
            RecordingListener listener = new RecordingListener();
            JobDispatcher dispatcher = dispatcher(reopened, provider, listener);

            dispatcher.submit(copyOf(create));
            assertThat(dispatcher.close(TIMEOUT)).as("dispatcher drained after reopening").isTrue();

            assertThat(listener.executions(1)).as("delivery after reopening the store")
                    .containsExactly(new JobExecution.Succeeded(JobResults.abiTrue()));
            assertThat(provider.calls).as("provider operations after reopening").isEmpty();
            assertThat(reopened.outcomeCount()).as("stored outcomes after reopening").isEqualTo(2);
        }
    }

    private static List<JobSender.Job> firstStream(Credentials owner) {
        return List.of(
                new JobSender.Job(owner, JobIndex.CREATE_VM, JobArguments.encode("vm-a")),
                new JobSender.Job(owner, JobIndex.START_VM, JobArguments.encode("vm-a")),
                new JobSender.Job(owner, JobIndex.SNAPSHOT_VM, JobArguments.encode("vm-a", "s1")),
                new JobSender.Job(owner, JobIndex.CREATE_VM, JobArguments.encode("vm-b")),
                new JobSender.Job(owner, JobIndex.STOP_VM, JobArguments.encode("vm-b")),
                new JobSender.Job(owner, JobIndex.CREATE_VM, JobArguments.encode("vm-a")),
                new JobSender.Job(owner, JobIndex.START_VM, JobArguments.encode("vm-b")),
                new JobSender.Job(owner, JobIndex.DESTROY_VM, JobArguments.encode("vm-c")),
                new JobSender.Job(owner, JobIndex.STOP_VM, JobArguments.encode("vm-a")),
                new JobSender.Job(owner, JobIndex.RESTORE_VM, JobArguments.encode("vm-a", "s1")),
                new JobSender.Job(owner, JobIndex.DESTROY_VM, JobArguments.encode("vm-b")),
                new JobSender.Job(owner, JobIndex.START_VM, JobArguments.encode("vm-b")));
    }

    /** Sends the jobs and waits until each has an outcome and every submission has settled. */
    private static List<JobSubmittedEvent> submitAndSettle(LocalChain chain, List<JobSender.Job> jobs, QueryClient query)
            throws Exception {
        LocalDeployment deployment = chain.deployment();
        JobSender sender = new JobSender(chain.web3j(), deployment.contractAddress(), deployment.serviceId(),
                deployment.chainId());
        sender.awaitMined(sender.send(jobs), TIMEOUT);
        List<JobSubmittedEvent> calls = new ChainEvents(chain.web3j(), deployment.contractAddress(), deployment.serviceId())
                .jobCalls(deployment.activationBlock());
        assertThat(calls).as("calls on chain").hasSize(jobs.size());

        for (JobSubmittedEvent call : calls) {
            Await.until("an outcome for call " + call.callId(), TIMEOUT,
                    () -> query.get("/jobs/" + call.callId()).statusCode() == 200);
        }
        query.awaitIdle(TIMEOUT);
        return calls;
    }

    private static Map<Long, String> jobViews(QueryClient query, List<JobSubmittedEvent> calls) throws Exception {
        Map<Long, String> views = new LinkedHashMap<>();
        for (JobSubmittedEvent call : calls) {
            views.put(call.callId(), query.body("/jobs/" + call.callId()));
        }
        return views;
    }

    /** Stores a cursor just after {@code block}, as if the operator had processed nothing later. */
    private void rewindCursor(LocalChain chain, LocalDeployment deployment, long block) throws Exception {
        String hash = Rpc.send(chain.web3j().ethGetBlockByNumber(DefaultBlockParameter.valueOf(BigInteger.valueOf(block)),
                false)).getBlock().getHash();
        try (SqliteStore store = OperatorEnvironment.openStore(deployment, dir)) {
            store.saveCursor(new ChainCursor(block, hash, Long.MAX_VALUE));
        }
    }

    private static BigInteger transactionCount(LocalChain chain, String address) throws Exception {
        return Rpc.send(chain.web3j().ethGetTransactionCount(address, DefaultBlockParameterName.LATEST)).getTransactionCount();
    }

    private static JobDispatcher dispatcher(SqliteStore store, VmRuntime provider, RecordingListener listener) {
        JobRunner runner = new JobRunner(provider, new StoreJobJournal(store, provider, provider.name()),
                OwnerCheck.ENFORCED, Clock.systemUTC());
        return new JobDispatcher(runner, listener);
    }

    private static JobCall call(long callId, int jobIndex, byte[] inputs, long block) {
        return new JobCall(0, callId, jobIndex, OWNER, inputs, block, 0, "0x" + "0".repeat(63) + "1");
    }

    /** Returns an equal call that is a different object, as a second delivery of the same log is. */
    private static JobCall copyOf(JobCall call) {
        return new JobCall(call.serviceId(), call.callId(), call.jobIndex(), call.caller(), call.inputs(),
                call.blockNumber(), call.logIndex(), call.blockHash());
    }

    /** Records every execution the dispatcher reports, by call id, in report order. */
    private static final class RecordingListener implements JobCompletionListener {

        private final Map<Long, List<JobExecution>> executions = new ConcurrentHashMap<>();

        @Override
        public void onCompleted(JobCall call, JobExecution execution) {
            executions.computeIfAbsent(call.callId(), id -> new CopyOnWriteArrayList<>()).add(execution);
        }

        List<JobExecution> executions(long callId) {
            return executions.getOrDefault(callId, List.of());
        }
    }

    /**
     * The in-memory provider with a count of each operation that reached it. The first create
     * waits for {@link #releaseCreate}, so a test can deliver the call again while it runs.
     */
    private static final class CountingProvider implements VmRuntime {

        private final InMemoryVmProvider delegate;
        private final Map<String, Integer> calls = new ConcurrentHashMap<>();
        private final CountDownLatch createEntered = new CountDownLatch(1);
        private final CountDownLatch releaseCreate = new CountDownLatch(1);
        private final AtomicInteger creates = new AtomicInteger();

        CountingProvider(InMemoryVmProvider delegate) {
            this.delegate = delegate;
        }

        @Override
        public String name() {
            return delegate.name();
        }

        @Override
        public void createVm(String vmId) {
            count("create " + vmId);
            if (creates.incrementAndGet() == 1) {
                createEntered.countDown();
                awaitRelease();
            }
            delegate.createVm(vmId);
        }

        @Override
        public void startVm(String vmId) {
            count("start " + vmId);
            delegate.startVm(vmId);
        }

        @Override
        public void stopVm(String vmId) {
            count("stop " + vmId);
            delegate.stopVm(vmId);
        }

        @Override
        public void snapshotVm(String vmId, String snapshotId) {
            count("snapshot " + vmId);
            delegate.snapshotVm(vmId, snapshotId);
        }

        @Override
        public void destroyVm(String vmId) {
            count("destroy " + vmId);
            delegate.destroyVm(vmId);
        }

        @Override
        public void restoreVm(String vmId, String snapshotId) {
            count("restore " + vmId);
            delegate.restoreVm(vmId, snapshotId);
        }

        @Override
        public List<VmView> listVms() {
            return delegate.listVms();
        }

        @Override
        public Optional<VmView> getVm(String vmId) {
            return delegate.getVm(vmId);
        }

        private void count(String operation) {
            calls.merge(operation, 1, Integer::sum);
        }

        private void awaitRelease() {
            try {
                if (!releaseCreate.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                    throw new AssertionError("the test never released the first create");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while holding the first create", e);
            }
        }
    }
}
