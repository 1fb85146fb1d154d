package io.tangle.microvm.chain.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tangle.microvm.chain.ContractRevertException;
import io.tangle.microvm.chain.JobArguments;
import io.tangle.microvm.chain.JobCallInfo;
import io.tangle.microvm.chain.JobEventPoller;
import io.tangle.microvm.chain.JobResultEvent;
import io.tangle.microvm.chain.JobSubmittedEvent;
import io.tangle.microvm.chain.NonceAllocator;
import io.tangle.microvm.chain.PollerConfig;
import io.tangle.microvm.chain.ResultSubmitter;
import io.tangle.microvm.chain.SubmissionResult;
import io.tangle.microvm.chain.SubmitterConfig;
import io.tangle.microvm.chain.TangleError;
import io.tangle.microvm.chain.TangleQueries;
import io.tangle.microvm.chain.TangleSignatures;
import io.tangle.microvm.chain.testing.LocalChain;
import io.tangle.microvm.chain.testing.RecordingConsumer;
import java.math.BigInteger;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.core.DefaultBlockParameter;
import org.web3j.protocol.core.methods.request.EthFilter;
import org.web3j.utils.Numeric;

/** The whole job round trip on a real Anvil: submit, discover, submit the result, complete. */
class LocalTangleEndToEndTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final byte[] ABI_TRUE = Numeric.hexStringToByteArray("0x" + "00".repeat(31) + "01");

    private static LocalChain chain;
    private static LocalDeployment deployment;
    private static Credentials operator1;
    private static Credentials operator2;

    @BeforeAll
    static void startChain() throws Exception {
        operator1 = DevAccounts.account(1);
        operator2 = DevAccounts.account(2);
        chain = LocalChain.start("end-to-end", LocalTangleDeployer.Request.defaults().withOperators(List.of(operator1, operator2)));
        deployment = chain.deployment();
    }

    @AfterAll
    static void stopChain() {
        if (chain != null) {
            chain.close();
        }
    }

    @Test
    void deploymentActivatesTheService() throws Exception {
        TangleQueries queries = new TangleQueries(chain.web3j(), deployment.contractAddress());

        assertThat(deployment.chainId()).isEqualTo(AnvilProcess.CHAIN_ID);
        assertThat(deployment.serviceId()).isZero();
        assertThat(queries.isOperatorRegistered(deployment.blueprintId(), operator1.getAddress())).isTrue();
        assertThat(queries.isOperatorRegistered(deployment.blueprintId(), operator2.getAddress())).isTrue();
        assertThat(queries.isOperatorRegistered(deployment.blueprintId(), DevAccounts.account(3).getAddress())).isFalse();
        assertThat(deployment.activationBlock()).isPositive();
    }

    @Test
    void devAccountsHaveTheirWellKnownAddresses() {
        assertThat(DevAccounts.account(0).getAddress()).isEqualToIgnoringCase("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266");
        assertThat(DevAccounts.account(1).getAddress()).isEqualToIgnoringCase("0x70997970C51812dc3A010C7d01b50e0d17dc79C8");
        assertThat(DevAccounts.account(2).getAddress()).isEqualToIgnoringCase("0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC");
        assertThat(DevAccounts.account(3).getAddress()).isEqualToIgnoringCase("0x90F79bf6EB2c4f870365E785982E1f101E93b906");
    }

    @Test
    void jobRoundTripCompletesTheCall() throws Exception {
        JobClient client = new JobClient(chain.web3j(), deployment.contractAddress(), deployment.owner());
        RecordingConsumer consumer = new RecordingConsumer();
        byte[] inputs = JobArguments.encode("vm-round-trip");
        long firstBlock = blockNumber() + 1;

        try (JobEventPoller poller = new JobEventPoller(chain.web3j(), pollerConfig(operator1, firstBlock), consumer);
                ResultSubmitter submitter = submitter(operator1)) {
            poller.start();
            JobClient.Submission submission = client.submitJob(deployment.serviceId(), 0, inputs);

            JobSubmittedEvent event = consumer.next(WAIT);
            assertThat(event.callId()).isEqualTo(submission.callId());
            assertThat(event.jobIndex()).isZero();
            assertThat(event.caller()).isEqualToIgnoringCase(deployment.owner().getAddress());
            assertThat(event.inputs()).isEqualTo(inputs);
            assertThat(event.transactionHash()).isEqualTo(submission.transactionHash());
            assertThat(event.blockNumber()).isEqualTo(submission.blockNumber());

            SubmissionResult result = submitter.submit(event.serviceId(), event.callId(), ABI_TRUE).get();
            assertThat(result.status()).isEqualTo(SubmissionResult.Status.SUBMITTED);
            assertThat(result.transactionHash()).startsWith("0x");

            Optional<JobResultEvent> answer = client.awaitResult(deployment.serviceId(), submission.callId(), submission.blockNumber(), WAIT);
            assertThat(answer).isPresent();
            assertThat(answer.get().operator()).isEqualToIgnoringCase(operator1.getAddress());
            assertThat(answer.get().result()).isEqualTo(ABI_TRUE);
            assertThat(answer.get().transactionHash()).isEqualTo(result.transactionHash());
            assertThat(jobCompletedLogs(submission.callId())).isEqualTo(1);

            JobCallInfo call = client.getJobCall(deployment.serviceId(), submission.callId());
            assertThat(call.completed()).isTrue();
            assertThat(call.resultCount()).isEqualTo(1);
            assertThat(call.jobIndex()).isZero();
            assertThat(call.caller()).isEqualToIgnoringCase(deployment.owner().getAddress());
            assertThat(call.rfq()).isFalse();
        }
    }

    @Test
    void lateSecondOperatorIsAlreadyDone() throws Exception {
        JobClient client = new JobClient(chain.web3j(), deployment.contractAddress(), deployment.owner());
        JobClient.Submission submission = client.submitJob(deployment.serviceId(), 1, JobArguments.encode("vm-late"));

        try (ResultSubmitter first = submitter(operator1); ResultSubmitter second = submitter(operator2)) {
            SubmissionResult winner = first.submitAndWait(deployment.serviceId(), submission.callId(), ABI_TRUE);
            SubmissionResult late = second.submitAndWait(deployment.serviceId(), submission.callId(), ABI_TRUE);

            assertThat(winner.status()).isEqualTo(SubmissionResult.Status.SUBMITTED);
            assertThat(late.status()).isEqualTo(SubmissionResult.Status.ALREADY_DONE);
            assertThat(late.attempts()).isEqualTo(1);
            assertThat(late.error()).isNull();
        }
    }

    @Test
    void callerWithoutPermissionIsRejected() throws Exception {
        JobClient stranger = new JobClient(chain.web3j(), deployment.contractAddress(), DevAccounts.account(3));

        assertThatThrownBy(() -> stranger.submitJob(deployment.serviceId(), 0, JobArguments.encode("vm-x")))
                .isInstanceOfSatisfying(ContractRevertException.class, e -> {
                    assertThat(e.tangleError()).contains(TangleError.NOT_PERMITTED_CALLER);
                    assertThat(e.revertData().selector()).isEqualTo("0xd5dd5b44");
                });
    }

    @Test
    void jobIndexBeyondTheBlueprintIsRejected() throws Exception {
        JobClient client = new JobClient(chain.web3j(), deployment.contractAddress(), deployment.owner());
        int pastLastJob = LocalTangleDeployer.MICROVM_JOBS.size();

        assertThatThrownBy(() -> client.submitJob(deployment.serviceId(), pastLastJob, JobArguments.encode("vm-x")))
                .isInstanceOfSatisfying(ContractRevertException.class, e -> {
                    assertThat(e.tangleError()).contains(TangleError.INVALID_JOB_INDEX);
                    assertThat(e.revertData().selector()).isEqualTo("0x1370bcad");
                });
    }

    @Test
    void unknownCallIsReportedAsNotFound() {
        JobClient client = new JobClient(chain.web3j(), deployment.contractAddress(), deployment.owner());

        assertThatThrownBy(() -> client.getJobCall(deployment.serviceId(), 1_000_000))
                .isInstanceOfSatisfying(ContractRevertException.class,
                        e -> assertThat(e.tangleError()).contains(TangleError.JOB_CALL_NOT_FOUND));
    }

    @Test
    void callIdsAreSequentialWithinTheService() throws Exception {
        JobClient client = new JobClient(chain.web3j(), deployment.contractAddress(), deployment.owner());

        long first = client.submitJob(deployment.serviceId(), 2, JobArguments.encode("vm-seq")).callId();
        long second = client.submitJob(deployment.serviceId(), 2, JobArguments.encode("vm-seq")).callId();

        assertThat(second).isEqualTo(first + 1);
    }

    @Test
    void quoteCallReachesQuotedOperatorOnly() throws Exception {
        JobClient client = new JobClient(chain.web3j(), deployment.contractAddress(), deployment.owner());
        RecordingConsumer seenByOperator1 = new RecordingConsumer();
        RecordingConsumer seenByOperator2 = new RecordingConsumer();
        long firstBlock = blockNumber() + 1;

        try (JobEventPoller poller1 = new JobEventPoller(chain.web3j(), pollerConfig(operator1, firstBlock), seenByOperator1);
                JobEventPoller poller2 = new JobEventPoller(chain.web3j(), pollerConfig(operator2, firstBlock), seenByOperator2)) {
            poller1.start();
            poller2.start();
            JobClient.Submission quoted = client.submitJobFromQuote(deployment.serviceId(), 3,
                    JobArguments.encode("vm-q", "snap-q"), List.of(operator2.getAddress()));
            JobClient.Submission plain = client.submitJob(deployment.serviceId(), 4, JobArguments.encode("vm-q"));

            JobSubmittedEvent quotedEvent = seenByOperator2.next(WAIT);
            assertThat(quotedEvent.callId()).isEqualTo(quoted.callId());
            assertThat(quotedEvent.fromQuote()).isTrue();
            assertThat(quotedEvent.quotedOperators()).containsExactly(operator2.getAddress().toLowerCase());
            assertThat(quotedEvent.jobIndex()).isEqualTo(3);
            assertThat(seenByOperator2.next(WAIT).callId()).isEqualTo(plain.callId());

            // Operator 1 receives the plain call, which comes after the quote call, and nothing before it.
            JobSubmittedEvent firstForOperator1 = seenByOperator1.next(WAIT);
            assertThat(firstForOperator1.callId()).isEqualTo(plain.callId());
            assertThat(seenByOperator1.all()).extracting(JobSubmittedEvent::callId).doesNotContain(quoted.callId());
        }
    }

    private static PollerConfig pollerConfig(Credentials operator, long firstBlock) {
        return PollerConfig.startingAt(deployment.contractAddress(), deployment.serviceId(), operator.getAddress(), firstBlock)
                .withPollInterval(Duration.ofMillis(100));
    }

    private static ResultSubmitter submitter(Credentials operator) {
        return new ResultSubmitter(chain.web3j(), operator, deployment.contractAddress(),
                new NonceAllocator(chain.web3j(), operator.getAddress()), SubmitterConfig.defaults());
    }

    private static long blockNumber() throws Exception {
        return chain.web3j().ethBlockNumber().send().getBlockNumber().longValueExact();
    }

    private static int jobCompletedLogs(long callId) throws Exception {
        EthFilter filter = new EthFilter(DefaultBlockParameter.valueOf(BigInteger.ZERO),
                DefaultBlockParameter.valueOf(BigInteger.valueOf(blockNumber())), deployment.contractAddress());
        filter.addSingleTopic(TangleSignatures.JOB_COMPLETED_TOPIC);
        filter.addSingleTopic(Numeric.toHexStringWithPrefixZeroPadded(BigInteger.valueOf(deployment.serviceId()), 64));
        filter.addSingleTopic(Numeric.toHexStringWithPrefixZeroPadded(BigInteger.valueOf(callId), 64));
        return chain.web3j().ethGetLogs(filter).send().getLogs().size();
    }
}
