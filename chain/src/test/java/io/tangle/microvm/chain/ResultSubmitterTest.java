package io.tangle.microvm.chain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tangle.microvm.chain.local.DevAccounts;
import io.tangle.microvm.chain.local.JobClient;
import io.tangle.microvm.chain.local.LocalDeployment;
import io.tangle.microvm.chain.local.LocalTangleDeployer;
import io.tangle.microvm.chain.testing.Conditions;
import io.tangle.microvm.chain.testing.LocalChain;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameter;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.utils.Numeric;

/**
 * Result submission on a real Anvil whose service needs two results per call, so one operator's
 * result leaves the call open and a second result from it is {@code ResultAlreadySubmitted}.
 */
class ResultSubmitterTest {

    private static final byte[] ABI_TRUE = Numeric.hexStringToByteArray("0x" + "00".repeat(31) + "01");
    private static final Duration WAIT = Duration.ofSeconds(30);

    private static LocalChain chain;
    private static LocalDeployment deployment;
    private static Web3j web3j;
    private static JobClient client;

    @BeforeAll
    static void startChain() throws Exception {
        chain = LocalChain.start("result-submitter", LocalTangleDeployer.Request.defaults()
                .withOperators(List.of(DevAccounts.account(1), DevAccounts.account(2)))
                .withRequiredResultCount(2));
        deployment = chain.deployment();
        web3j = chain.web3j();
        client = new JobClient(web3j, deployment.contractAddress(), deployment.owner());
    }

    @AfterAll
    static void stopChain() {
        if (chain != null) {
            chain.close();
        }
    }

    @Test
    void concurrentResultsUseContiguousNonces() throws Exception {
        Credentials operator = DevAccounts.account(1);
        List<Long> callIds = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            callIds.add(client.submitJob(deployment.serviceId(), 0, JobArguments.encode("vm-burst-" + i)).callId());
        }
        BigInteger firstNonce = transactionCount(operator, DefaultBlockParameterName.LATEST);

        List<SubmissionResult> results = new ArrayList<>();
        try (ResultSubmitter submitter = submitter(operator, SubmitterConfig.defaults().withBatching(1, 64))) {
            List<CompletableFuture<SubmissionResult>> futures = callIds.stream()
                    .map(callId -> submitter.submit(deployment.serviceId(), callId, ABI_TRUE))
                    .toList();
            for (CompletableFuture<SubmissionResult> future : futures) {
                results.add(future.get());
            }
        }

        assertThat(results).extracting(SubmissionResult::status).containsOnly(SubmissionResult.Status.SUBMITTED);
        List<BigInteger> nonces = new ArrayList<>();
        for (SubmissionResult result : results) {
            nonces.add(web3j.ethGetTransactionByHash(result.transactionHash()).send().getTransaction().orElseThrow().getNonce());
        }
        List<BigInteger> expected = new ArrayList<>();
        for (int i = 0; i < callIds.size(); i++) {
            expected.add(firstNonce.add(BigInteger.valueOf(i)));
        }
        assertThat(nonces).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(transactionCount(operator, DefaultBlockParameterName.PENDING)).isEqualTo(firstNonce.add(BigInteger.valueOf(callIds.size())));
        for (long callId : callIds) {
            assertThat(client.getJobCall(deployment.serviceId(), callId).resultCount()).as("results of call %s", callId).isEqualTo(1);
        }
    }

    @Test
    void queuedResultsGoOutInBatches() throws Exception {
        Credentials operator = DevAccounts.account(1);
        List<Long> callIds = submitJobs("vm-batch-", 30);
        DeferredExecutor executor = new DeferredExecutor();

        List<SubmissionResult> results;
        try (ResultSubmitter submitter = submitter(operator, SubmitterConfig.defaults().withBatching(10, 1), executor)) {
            List<CompletableFuture<SubmissionResult>> futures = submitAll(submitter, callIds);
            executor.release();
            results = awaitAll(futures);
        }

        assertThat(results).extracting(SubmissionResult::status).containsOnly(SubmissionResult.Status.SUBMITTED);
        List<String> transactions = results.stream().map(SubmissionResult::transactionHash).distinct().toList();
        assertThat(transactions).hasSize(3);
        for (String hash : transactions) {
            assertThat(input(hash)).as("input of %s", hash).startsWith(TangleSignatures.SUBMIT_RESULTS_SELECTOR);
        }
        for (long callId : callIds) {
            assertThat(client.getJobCall(deployment.serviceId(), callId).resultCount()).as("results of call %s", callId).isEqualTo(1);
        }
    }

    @Test
    void loneResultUsesSubmitResult() throws Exception {
        long callId = submitJobs("vm-alone-", 1).getFirst();

        SubmissionResult result;
        try (ResultSubmitter submitter = submitter(DevAccounts.account(1), SubmitterConfig.defaults())) {
            result = submitter.submit(deployment.serviceId(), callId, ABI_TRUE).get();
        }

        assertThat(result.status()).isEqualTo(SubmissionResult.Status.SUBMITTED);
        assertThat(input(result.transactionHash())).startsWith(TangleSignatures.SUBMIT_RESULT_SELECTOR);
    }

    @Test
    void answeredCallLeavesBatchAsDone() throws Exception {
        Credentials operator = DevAccounts.account(2);
        List<Long> callIds = submitJobs("vm-answered-", 3);
        DeferredExecutor executor = new DeferredExecutor();

        try (ResultSubmitter first = submitter(operator, SubmitterConfig.defaults())) {
            assertThat(first.submitAndWait(deployment.serviceId(), callIds.get(1), ABI_TRUE).status())
                    .isEqualTo(SubmissionResult.Status.SUBMITTED);
        }

        List<SubmissionResult> results;
        try (ResultSubmitter submitter = submitter(operator, SubmitterConfig.defaults().withBatching(3, 1), executor)) {
            List<CompletableFuture<SubmissionResult>> futures = submitAll(submitter, callIds);
            executor.release();
            results = awaitAll(futures);
        }

        assertThat(results.get(1).status()).isEqualTo(SubmissionResult.Status.ALREADY_DONE);
        assertThat(results.get(0).status()).isEqualTo(SubmissionResult.Status.SUBMITTED);
        assertThat(results.get(2).status()).isEqualTo(SubmissionResult.Status.SUBMITTED);
        assertThat(results.get(2).transactionHash()).isEqualTo(results.get(0).transactionHash());
        assertThat(input(results.get(0).transactionHash())).startsWith(TangleSignatures.SUBMIT_RESULTS_SELECTOR);
    }

    @Test
    void rejectedCallIsSentAlone() throws Exception {
        Credentials operator = DevAccounts.account(1);
        List<Long> callIds = new ArrayList<>(submitJobs("vm-unknown-", 2));
        long unknownCallId = callIds.getLast() + 1_000;
        callIds.add(1, unknownCallId);
        DeferredExecutor executor = new DeferredExecutor();
        SubmitterConfig config = SubmitterConfig.defaults().withBatching(3, 1).withMaxAttempts(2)
                .withBackoff(Duration.ofMillis(50), Duration.ofMillis(50));

        List<SubmissionResult> results;
        try (ResultSubmitter submitter = submitter(operator, config, executor)) {
            List<CompletableFuture<SubmissionResult>> futures = submitAll(submitter, callIds);
            executor.release();
            results = awaitAll(futures);
        }

        assertThat(results.get(1).status()).isEqualTo(SubmissionResult.Status.FAILED);
        assertThat(results.get(1).error()).contains("JobCallNotFound");
        assertThat(results.get(0).status()).isEqualTo(SubmissionResult.Status.SUBMITTED);
        assertThat(results.get(2).status()).isEqualTo(SubmissionResult.Status.SUBMITTED);
        assertThat(results.get(0).transactionHash()).isNotEqualTo(results.get(2).transactionHash());
        assertThat(input(results.get(0).transactionHash())).startsWith(TangleSignatures.SUBMIT_RESULT_SELECTOR);
    }

    @Test
    void replacedCallBlockSendsNothing() throws Exception {
        Credentials operator = DevAccounts.account(1);
        JobClient.Submission job = client.submitJob(deployment.serviceId(), 0, JobArguments.encode("vm-replaced"));
        CallBlock replaced = new CallBlock(job.blockNumber(), "0x" + "ab".repeat(32));
        BigInteger nonceBefore = transactionCount(operator, DefaultBlockParameterName.PENDING);

        SubmissionResult result;
        try (ResultSubmitter submitter = submitter(operator, SubmitterConfig.defaults())) {
            result = submitter.submit(deployment.serviceId(), job.callId(), ABI_TRUE, replaced).get();
        }

        assertThat(result.status()).isEqualTo(SubmissionResult.Status.ORPHANED);
        assertThat(result.error()).contains("no longer on the chain");
        assertThat(transactionCount(operator, DefaultBlockParameterName.PENDING)).isEqualTo(nonceBefore);
        assertThat(client.getJobCall(deployment.serviceId(), job.callId()).resultCount()).isZero();
    }

    @Test
    void replacedCallBlockLeavesBatch() throws Exception {
        Credentials operator = DevAccounts.account(1);
        List<JobClient.Submission> jobs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            jobs.add(client.submitJob(deployment.serviceId(), 0, JobArguments.encode("vm-batch-replaced-" + i)));
        }
        DeferredExecutor executor = new DeferredExecutor();

        List<SubmissionResult> results;
        try (ResultSubmitter submitter = submitter(operator, SubmitterConfig.defaults().withBatching(3, 1), executor)) {
            List<CompletableFuture<SubmissionResult>> futures = new ArrayList<>();
            for (int i = 0; i < jobs.size(); i++) {
                JobClient.Submission job = jobs.get(i);
                String hash = i == 1 ? "0x" + "ab".repeat(32) : blockHash(job.blockNumber());
                futures.add(submitter.submit(deployment.serviceId(), job.callId(), ABI_TRUE,
                        new CallBlock(job.blockNumber(), hash)));
            }
            executor.release();
            results = awaitAll(futures);
        }

        assertThat(results.get(1).status()).isEqualTo(SubmissionResult.Status.ORPHANED);
        assertThat(results.get(0).status()).isEqualTo(SubmissionResult.Status.SUBMITTED);
        assertThat(results.get(2).status()).isEqualTo(SubmissionResult.Status.SUBMITTED);
        assertThat(results.get(2).transactionHash()).isEqualTo(results.get(0).transactionHash());
        assertThat(client.getJobCall(deployment.serviceId(), jobs.get(1).callId()).resultCount()).isZero();
    }

    @Test
    void closedSubmitterFailsQueuedResults() throws Exception {
        long callId = submitJobs("vm-closed-", 1).getFirst();
        DeferredExecutor executor = new DeferredExecutor();
        Credentials operator = DevAccounts.account(1);
        ResultSubmitter submitter = submitter(operator, SubmitterConfig.defaults(), executor);

        CompletableFuture<SubmissionResult> future = submitter.submit(deployment.serviceId(), callId, ABI_TRUE);
        submitter.close();

        SubmissionResult result = future.get();
        assertThat(result.status()).isEqualTo(SubmissionResult.Status.FAILED);
        assertThat(result.error()).contains("closed");
    }

    @Test
    void repeatedResultIsAlreadyDone() throws Exception {
        long callId = client.submitJob(deployment.serviceId(), 0, JobArguments.encode("vm-twice")).callId();

        try (ResultSubmitter submitter = submitter(DevAccounts.account(2), SubmitterConfig.defaults())) {
            SubmissionResult first = submitter.submitAndWait(deployment.serviceId(), callId, ABI_TRUE);
            SubmissionResult second = submitter.submitAndWait(deployment.serviceId(), callId, ABI_TRUE);

            assertThat(first.status()).isEqualTo(SubmissionResult.Status.SUBMITTED);
            assertThat(second.status()).isEqualTo(SubmissionResult.Status.ALREADY_DONE);
        }
        assertThat(client.getJobCall(deployment.serviceId(), callId).completed()).isFalse();
    }

    @Test
    void outsiderFailsAfterMaxAttempts() throws Exception {
        long callId = client.submitJob(deployment.serviceId(), 0, JobArguments.encode("vm-outsider")).callId();
        SubmitterConfig twoQuickAttempts = SubmitterConfig.defaults().withMaxAttempts(2)
                .withBackoff(Duration.ofMillis(50), Duration.ofMillis(50));

        try (ResultSubmitter submitter = submitter(DevAccounts.account(3), twoQuickAttempts)) {
            SubmissionResult result = submitter.submit(deployment.serviceId(), callId, ABI_TRUE).get();

            assertThat(result.status()).isEqualTo(SubmissionResult.Status.FAILED);
            assertThat(result.attempts()).isEqualTo(2);
            assertThat(result.error()).contains("OperatorNotInService");
            assertThat(result.transactionHash()).isNull();
        }
    }

    @Test
    void takenNonceIsResynchronised() throws Exception {
        Credentials operator = DevAccounts.account(2);
        long callId = client.submitJob(deployment.serviceId(), 0, JobArguments.encode("vm-resync")).callId();
        NonceAllocator nonces = new NonceAllocator(web3j, operator.getAddress());
        BigInteger takenNonce = nonces.allocate();
        nonces.release(takenNonce);
        sendSelfTransfer(operator);
        SubmitterConfig quickRetry = SubmitterConfig.defaults().withBackoff(Duration.ofMillis(50), Duration.ofMillis(50));

        try (ResultSubmitter submitter = new ResultSubmitter(web3j, operator, deployment.contractAddress(), nonces, quickRetry)) {
            SubmissionResult result = submitter.submitAndWait(deployment.serviceId(), callId, ABI_TRUE);

            assertThat(result.status()).isEqualTo(SubmissionResult.Status.SUBMITTED);
            assertThat(result.attempts()).isEqualTo(2);
            assertThat(web3j.ethGetTransactionByHash(result.transactionHash()).send().getTransaction().orElseThrow().getNonce())
                    .isEqualTo(takenNonce.add(BigInteger.ONE));
        }
    }

    @Test
    void nonceGapBelowResultIsFilled() throws Exception {
        Credentials operator = DevAccounts.account(2);
        long callId = client.submitJob(deployment.serviceId(), 0, JobArguments.encode("vm-gap")).callId();
        NonceAllocator nonces = new NonceAllocator(web3j, operator.getAddress());
        // A nonce handed out and never sent, as a transaction that left the chain and every pool would leave it.
        BigInteger lost = nonces.allocate();
        SubmitterConfig quickReceipts = SubmitterConfig.defaults()
                .withMaxAttempts(20)
                .withBackoff(Duration.ofMillis(50), Duration.ofMillis(100))
                .withReceiptWait(Duration.ofMillis(500), Duration.ofMillis(50), Duration.ofMillis(100));

        SubmissionResult result;
        try (ResultSubmitter submitter = new ResultSubmitter(web3j, operator, deployment.contractAddress(), nonces,
                quickReceipts)) {
            result = submitter.submitAndWait(deployment.serviceId(), callId, ABI_TRUE);
        }

        assertThat(result.status()).isEqualTo(SubmissionResult.Status.SUBMITTED);
        assertThat(web3j.ethGetTransactionByHash(result.transactionHash()).send().getTransaction().orElseThrow().getNonce())
                .isEqualTo(lost.add(BigInteger.ONE));
        assertThat(transactionCount(operator, DefaultBlockParameterName.LATEST)).isEqualTo(lost.add(BigInteger.TWO));
        assertThat(client.getJobCall(deployment.serviceId(), callId).resultCount()).isEqualTo(1);
    }

    @Test
    void releasedNonceIsReused() throws Exception {
        NonceAllocator nonces = new NonceAllocator(web3j, DevAccounts.account(3).getAddress());
        BigInteger first = nonces.allocate();
        BigInteger second = nonces.allocate();
        BigInteger third = nonces.allocate();

        nonces.release(second);

        assertThat(nonces.allocate()).isEqualTo(second);
        assertThat(nonces.allocate()).isEqualTo(third.add(BigInteger.ONE));
        assertThat(second).isEqualTo(first.add(BigInteger.ONE));
    }

    @Test
    void foreignAllocatorIsRejected() {
        NonceAllocator otherAccount = new NonceAllocator(web3j, DevAccounts.account(2).getAddress());

        assertThatThrownBy(() -> new ResultSubmitter(web3j, DevAccounts.account(1),
                        deployment.contractAddress(), otherAccount, SubmitterConfig.defaults()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("nonce allocator");
    }

    @Test
    void missingReceiptKeepsSameTransaction() throws Exception {
        Credentials operator = DevAccounts.account(1);
        long callId = client.submitJob(deployment.serviceId(), 0, JobArguments.encode("vm-slow")).callId();
        SubmitterConfig shortReceiptWait = SubmitterConfig.defaults()
                .withMaxAttempts(20)
                .withBackoff(Duration.ofMillis(50), Duration.ofMillis(100))
                .withReceiptWait(Duration.ofMillis(300), Duration.ofMillis(50), Duration.ofMillis(100));
        BigInteger nonceBefore = transactionCount(operator, DefaultBlockParameterName.LATEST);

        chain.control().setAutomine(false);
        SubmissionResult result;
        try (ResultSubmitter submitter = submitter(operator, shortReceiptWait)) {
            CompletableFuture<SubmissionResult> future = submitter.submit(deployment.serviceId(), callId, ABI_TRUE);
            Conditions.awaitTrue("the result transaction is pending", WAIT,
                    () -> pendingCount(operator).compareTo(nonceBefore) > 0);

            // Let several receipt timeouts pass while nothing is mined: this is the scenario under test.
            Thread.sleep(1_000);
            assertThat(future).isNotDone();
            chain.control().mine(1);
            result = future.get();
        } finally {
            chain.control().setAutomine(true);
        }

        assertThat(result.status()).isEqualTo(SubmissionResult.Status.SUBMITTED);
        assertThat(result.attempts()).isGreaterThan(1);
        assertThat(transactionCount(operator, DefaultBlockParameterName.LATEST)).isEqualTo(nonceBefore.add(BigInteger.ONE));
        assertThat(client.getJobCall(deployment.serviceId(), callId).resultCount()).isEqualTo(1);
    }

    private static List<Long> submitJobs(String vmPrefix, int count) throws Exception {
        List<Long> callIds = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            callIds.add(client.submitJob(deployment.serviceId(), 0, JobArguments.encode(vmPrefix + i)).callId());
        }
        return callIds;
    }

    private static List<CompletableFuture<SubmissionResult>> submitAll(ResultSubmitter submitter, List<Long> callIds) {
        return callIds.stream()
                .map(callId -> submitter.submit(deployment.serviceId(), callId, ABI_TRUE))
                .toList();
    }

    private static List<SubmissionResult> awaitAll(List<CompletableFuture<SubmissionResult>> futures) throws Exception {
        List<SubmissionResult> results = new ArrayList<>();
        for (CompletableFuture<SubmissionResult> future : futures) {
            results.add(future.get(WAIT.toMillis(), TimeUnit.MILLISECONDS));
        }
        return results;
    }

    private static String blockHash(long blockNumber) throws Exception {
        return web3j.ethGetBlockByNumber(DefaultBlockParameter.valueOf(BigInteger.valueOf(blockNumber)), false).send()
                .getBlock().getHash();
    }

    private static String input(String transactionHash) throws Exception {
        return web3j.ethGetTransactionByHash(transactionHash).send().getTransaction().orElseThrow().getInput();
    }

    private static ResultSubmitter submitter(Credentials operator, SubmitterConfig config) {
        return new ResultSubmitter(web3j, operator, deployment.contractAddress(), new NonceAllocator(web3j, operator.getAddress()), config);
    }

    private static ResultSubmitter submitter(Credentials operator, SubmitterConfig config, ExecutorService executor) {
        return new ResultSubmitter(web3j, operator, deployment.contractAddress(), new NonceAllocator(web3j, operator.getAddress()),
                config, executor);
    }

    private static BigInteger transactionCount(Credentials account, DefaultBlockParameterName block) throws Exception {
        return web3j.ethGetTransactionCount(account.getAddress(), block).send().getTransactionCount();
    }

    private static BigInteger pendingCount(Credentials account) {
        try {
            return transactionCount(account, DefaultBlockParameterName.PENDING);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void sendSelfTransfer(Credentials account) throws Exception {
        TransactionSupport support = new TransactionSupport(web3j);
        TransactionSupport.SignedTransaction transfer = TransactionSupport.sign(account, support.chainId(),
                support.pendingNonce(account.getAddress()), BigInteger.ZERO, BigInteger.valueOf(21_000), account.getAddress(),
                BigInteger.ONE, "0x");
        assertThat(support.send(transfer).outcome()).isEqualTo(TransactionSupport.SendOutcome.ACCEPTED);
    }
}
