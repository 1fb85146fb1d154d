package io.tangle.microvm.chain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tangle.microvm.chain.local.AnvilProcess;
import io.tangle.microvm.chain.local.ContractArtifact;
import io.tangle.microvm.chain.local.DevAccounts;
import io.tangle.microvm.chain.local.JobClient;
import io.tangle.microvm.chain.local.LocalDeployment;
import io.tangle.microvm.chain.local.LocalTangleDeployer;
import io.tangle.microvm.chain.testing.Conditions;
import io.tangle.microvm.chain.testing.LocalChain;
import io.tangle.microvm.chain.testing.RecordingConsumer;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.web3j.abi.datatypes.DynamicArray;
import org.web3j.abi.datatypes.DynamicBytes;
import org.web3j.abi.datatypes.Function;
import org.web3j.abi.datatypes.generated.Bytes32;
import org.web3j.crypto.ContractUtils;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.http.HttpService;
import org.web3j.utils.Numeric;

class JobEventPollerTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final Duration FAST_POLL = Duration.ofMillis(50);

    private static LocalChain chain;
    private static LocalDeployment deployment;
    private static JobClient client;

    @BeforeAll
    static void startChain() throws Exception {
        chain = LocalChain.start("poller");
        deployment = chain.deployment();
        client = new JobClient(chain.web3j(), deployment.contractAddress(), deployment.owner());
    }

    @AfterAll
    static void stopChain() {
        if (chain != null) {
            chain.close();
        }
    }

    @Test
    void smallWindowFindsJobsInOrder() throws Exception {
        long firstBlock = head() + 1;
        List<Long> callIds = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            callIds.add(client.submitJob(deployment.serviceId(), i % 5, JobArguments.encode("vm-window-" + i)).callId());
            chain.control().mine(7);
        }
        long lastBlock = head();
        RecordingConsumer consumer = new RecordingConsumer();
        AtomicInteger windows = new AtomicInteger();
        PollerListener countWindows = new PollerListener() {
            @Override
            public void onWindowProcessed(PollCursor cursor, String blockHash) {
                windows.incrementAndGet();
            }
        };

        try (JobEventPoller poller = new JobEventPoller(chain.web3j(), config(firstBlock).withMaxBlockRange(3), consumer,
                countWindows, Thread.ofVirtual().factory())) {
            poller.start();
            List<JobSubmittedEvent> events = consumer.next(callIds.size(), WAIT);
            Conditions.awaitTrue("the poller is caught up", WAIT, poller::isCaughtUp);

            assertThat(events).extracting(JobSubmittedEvent::callId).containsExactlyElementsOf(callIds);
            assertThat(events).extracting(JobSubmittedEvent::jobIndex).containsExactly(0, 1, 2, 3, 4);
            assertThat(windows.get()).isGreaterThanOrEqualTo((int) ((lastBlock - firstBlock + 1) / 3));
            assertThat(poller.cursor().block()).isGreaterThanOrEqualTo(lastBlock);
            assertThat(poller.status().blockRange()).isEqualTo(3);
        }
    }

    @Test
    void confirmationsHoldBackNewBlocks() throws Exception {
        long firstBlock = head() + 1;
        RecordingConsumer consumer = new RecordingConsumer();

        try (JobEventPoller poller = new JobEventPoller(chain.web3j(), config(firstBlock).withConfirmations(3), consumer)) {
            poller.start();
            long callId = client.submitJob(deployment.serviceId(), 0, JobArguments.encode("vm-confirm")).callId();
            long jobBlock = head();
            Conditions.awaitTrue("the poller saw the job's block as head", WAIT, () -> poller.status().headBlock() >= jobBlock);
            Conditions.awaitTrue("the poller is caught up", WAIT, poller::isCaughtUp);

            assertThat(consumer.all()).isEmpty();
            chain.control().mine(3);
            assertThat(consumer.next(WAIT).callId()).isEqualTo(callId);
        }
    }

    @Test
    void malformedLogIsSkipped() throws Exception {
        TransactionRunner owner = new TransactionRunner(chain.web3j(), DevAccounts.owner(), WAIT);
        String emitter = owner.deploy(ContractArtifact.load("/contracts/LogEmitter.json").bytecode()).getContractAddress();
        long firstBlock = head() + 1;
        String service = word(deployment.serviceId());
        String caller = "000000000000000000000000" + DevAccounts.owner().getAddress().substring(2);
        String inputs = wordHex(4) + "766d2d31" + "00".repeat(28);

        // A 3-topic log whose data ends before the inputs, a valid 4-topic log, a valid 3-topic log,
        // and a valid log of another service.
        emit(owner, emitter, List.of(TangleSignatures.JOB_SUBMITTED_TOPIC, service, word(100)), wordHex(0) + caller);
        emit(owner, emitter, List.of(TangleSignatures.JOB_SUBMITTED_TOPIC, service, word(101), word(2)), caller + wordHex(0x40) + inputs);
        emit(owner, emitter, List.of(TangleSignatures.JOB_SUBMITTED_TOPIC, service, word(102)), wordHex(1) + caller + wordHex(0x60) + inputs);
        emit(owner, emitter, List.of(TangleSignatures.JOB_SUBMITTED_TOPIC, word(deployment.serviceId() + 1), word(103)),
                wordHex(1) + caller + wordHex(0x60) + inputs);
        RecordingConsumer consumer = new RecordingConsumer();

        PollerConfig watchEmitter = PollerConfig.startingAt(emitter, deployment.serviceId(), deployment.operator().getAddress(), firstBlock)
                .withPollInterval(FAST_POLL);
        try (JobEventPoller poller = new JobEventPoller(chain.web3j(), watchEmitter, consumer)) {
            poller.start();
            List<JobSubmittedEvent> events = consumer.next(2, WAIT);
            Conditions.awaitTrue("the poller is caught up", WAIT, poller::isCaughtUp);

            assertThat(events).extracting(JobSubmittedEvent::callId).containsExactly(101L, 102L);
            assertThat(events.get(0).jobIndex()).isEqualTo(2);
            assertThat(events.get(1).jobIndex()).isEqualTo(1);
            assertThat(consumer.all()).hasSize(2);
            assertThat(poller.status().state()).isEqualTo(JobEventPoller.State.RUNNING);
        }
    }

    @Test
    void failingConsumerGetsEventAgain() throws Exception {
        long firstBlock = head() + 1;
        long callId = client.submitJob(deployment.serviceId(), 0, JobArguments.encode("vm-retry")).callId();
        List<Long> attempts = new CopyOnWriteArrayList<>();
        RecordingConsumer accepted = new RecordingConsumer();

        try (JobEventPoller poller = new JobEventPoller(chain.web3j(), config(firstBlock), event -> {
            attempts.add(event.callId());
            if (attempts.size() == 1) {
                throw new IllegalStateException("store unavailable");
            }
            accepted.accept(event);
        })) {
            poller.start();

            assertThat(accepted.next(WAIT).callId()).isEqualTo(callId);
            assertThat(attempts).containsExactly(callId, callId);
        }
    }

    @Test
    void reorgDeliversReplacementJob() throws Exception {
        long firstBlock = head() + 1;
        RecordingConsumer consumer = new RecordingConsumer();
        List<Long> reorgBlocks = new CopyOnWriteArrayList<>();
        PollerListener recordReorgs = new PollerListener() {
            @Override
            public void onReorg(long block, String storedHash, String currentHash, PollCursor rewoundTo) {
                reorgBlocks.add(block);
            }
        };
        String snapshot = chain.control().snapshot();

        try (JobEventPoller poller = new JobEventPoller(chain.web3j(), config(firstBlock), consumer, recordReorgs,
                Thread.ofVirtual().factory())) {
            poller.start();
            JobClient.Submission original = client.submitJob(deployment.serviceId(), 0, JobArguments.encode("vm-orphaned"));
            JobSubmittedEvent first = consumer.next(WAIT);
            Conditions.awaitTrue("the poller is caught up", WAIT, poller::isCaughtUp);

            assertThat(chain.control().revert(snapshot)).isTrue();
            chain.control().mine(1);
            JobClient.Submission replacement = client.submitJob(deployment.serviceId(), 1, JobArguments.encode("vm-replacement"));
            JobSubmittedEvent second = consumer.next(WAIT);

            assertThat(first.transactionHash()).isEqualTo(original.transactionHash());
            assertThat(replacement.blockNumber()).isGreaterThanOrEqualTo(original.blockNumber());
            assertThat(reorgBlocks).isNotEmpty();
            assertThat(second.transactionHash()).isEqualTo(replacement.transactionHash());
            assertThat(second.jobIndex()).isEqualTo(1);
        }
    }

    @Test
    void unreachableNodeIsRetried() throws Exception {
        int port = AnvilProcess.freePort();
        Web3j web3j = Web3j.build(new HttpService("http://127.0.0.1:" + port));
        String expectedContract = ContractUtils.generateContractAddress(DevAccounts.owner().getAddress(), BigInteger.ZERO);
        RecordingConsumer consumer = new RecordingConsumer();
        PollerConfig config = PollerConfig.startingAt(expectedContract, 0, DevAccounts.operator().getAddress(), 0)
                .withPollInterval(FAST_POLL);

        try (JobEventPoller poller = new JobEventPoller(web3j, config, consumer)) {
            poller.start();
            Conditions.awaitTrue("two failed polls", WAIT, () -> poller.status().consecutiveFailures() >= 2);
            assertThat(poller.isCaughtUp()).isFalse();

            try (AnvilProcess anvil = AnvilProcess.start(AnvilProcess.Options.defaults().withPort(port)
                    .withLogFile(LocalChain.logFile("poller-late-node")))) {
                LocalDeployment late = LocalTangleDeployer.deploy(anvil.web3j(), anvil.rpcUrl());
                long callId = new JobClient(anvil.web3j(), late.contractAddress(), late.owner())
                        .submitJob(late.serviceId(), 0, JobArguments.encode("vm-late-node")).callId();

                assertThat(late.contractAddress()).isEqualToIgnoringCase(expectedContract);
                assertThat(consumer.next(Duration.ofSeconds(30)).callId()).isEqualTo(callId);
                assertThat(poller.status().state()).isEqualTo(JobEventPoller.State.RUNNING);
            }
        } finally {
            web3j.shutdown();
        }
    }

    @Test
    void stopEndsThePollerPromptly() throws Exception {
        JobEventPoller poller = new JobEventPoller(chain.web3j(), config(head()), new RecordingConsumer());
        poller.start();
        Conditions.awaitTrue("the poller is caught up", WAIT, poller::isCaughtUp);

        long started = System.nanoTime();
        poller.stop();

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
        assertThat(poller.status().state()).isEqualTo(JobEventPoller.State.STOPPED);
        assertThat(poller.isCaughtUp()).isFalse();
    }

    @Test
    void pollerStartsOnlyOnce() {
        JobEventPoller poller = new JobEventPoller(chain.web3j(), config(0), new RecordingConsumer());
        poller.stop();

        assertThatThrownBy(poller::start)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("starts only once");
    }

    private static PollerConfig config(long firstBlock) {
        return PollerConfig.startingAt(deployment.contractAddress(), deployment.serviceId(), deployment.operator().getAddress(), firstBlock)
                .withPollInterval(FAST_POLL);
    }

    private static long head() throws Exception {
        return chain.web3j().ethBlockNumber().send().getBlockNumber().longValueExact();
    }

    private static void emit(TransactionRunner runner, String emitter, List<String> topics, String dataHex) throws Exception {
        List<Bytes32> topicValues = topics.stream().map(topic -> new Bytes32(Numeric.hexStringToByteArray(topic))).toList();
        runner.call(emitter, new Function("emitLog",
                List.of(new DynamicArray<>(Bytes32.class, topicValues), new DynamicBytes(Numeric.hexStringToByteArray(dataHex))),
                List.of()));
    }

    private static String word(long value) {
        return "0x" + wordHex(value);
    }

    private static String wordHex(long value) {
        return String.format("%064x", value);
    }
}
