package io.tangle.microvm.app.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import io.tangle.microvm.app.config.OperatorConfigLoader;
import io.tangle.microvm.app.config.RunOptions;
import io.tangle.microvm.app.operator.Operator;
import io.tangle.microvm.app.testing.Await;
import io.tangle.microvm.app.testing.ChainEvents;
import io.tangle.microvm.app.testing.DevChainRpc;
import io.tangle.microvm.app.testing.JobSender;
import io.tangle.microvm.app.testing.LogCapture;
import io.tangle.microvm.app.testing.OperatorEnvironment;
import io.tangle.microvm.app.testing.QueryClient;
import io.tangle.microvm.chain.JobArguments;
import io.tangle.microvm.chain.JobResultEvent;
import io.tangle.microvm.chain.JobSubmittedEvent;
import io.tangle.microvm.chain.Rpc;
import io.tangle.microvm.chain.local.JobClient;
import io.tangle.microvm.chain.local.LocalDeployment;
import io.tangle.microvm.chain.testing.LocalChain;
import io.tangle.microvm.jobs.JobIndex;
import io.tangle.microvm.jobs.JobRunner;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.protocol.core.DefaultBlockParameter;
import org.web3j.protocol.core.methods.response.EthSendTransaction;
import org.web3j.protocol.http.HttpService;

/**
 * Reorganisations that remove a block whose job call the operator already applied, made with
 * {@code anvil_reorg} on Anvil 1.7.1, which replaces the newest blocks with empty ones.
 *
 * <p>The policy these tests hold the operator to: a VM change cannot be undone, so the operator
 * keeps it and reports every applied call from a replaced block at ERROR, naming the call id and
 * the VM. It keeps running and rescans from the last block that is still on chain. A call that
 * comes back under the same id with the same job and VM keeps its first outcome and is not applied
 * again. A different call that takes the freed id is applied as a new call and gets its result. The
 * old outcome is set aside as replaced, and both calls are reported at ERROR. No result is sent for
 * the old call once its block is gone. Calls with new ids are applied and get their results as
 * usual. With a confirmation depth, a reorganisation shallower than the depth is never seen at all.
 *
 * <p>Anvil drops the transactions of replaced blocks, where a node on a live network returns them
 * to its pool. The tests send the dropped transactions again themselves where a live network
 * would mine them again, which also keeps the operator's next nonce in step with the chain.
 */
class ReorgTest {

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
    void reincludedCallKeepsFirstOutcome() throws Exception {
        try (LogCapture operatorLog = LogCapture.of("io.tangle.microvm")) {
            Fixture fixture = start("reorg-reincluded", Map.of());
            fixture.submitAndAwaitResult(JobIndex.CREATE_VM, "vm-keep");
            Applied orphan = fixture.submitAndAwaitResult(JobIndex.CREATE_VM, "vm-r1");
            fixture.query.awaitIdle(TIMEOUT);
            String rawJob = fixture.rpc.rawTransaction(orphan.submission().transactionHash());
            String rawResult = fixture.rpc.rawTransaction(orphan.result().transactionHash());

            fixture.reorgFrom(orphan.submission().blockNumber());
            fixture.sendRaw(rawJob);
            fixture.sendRaw(rawResult);
            chain.control().mine(3);

            awaitOrphanReported(operatorLog, orphan.callId(), "vm-r1");
            Await.until("call " + orphan.callId() + " delivered again and replayed", TIMEOUT,
                    () -> !operatorLog.find(Level.INFO, "job call " + orphan.callId() + " create_vm already has a").isEmpty());
            Applied after = fixture.submitAndAwaitResult(JobIndex.CREATE_VM, "vm-r3");

            assertThat(fixture.resultsFor(orphan.callId())).as("results for the re-included call on the current chain")
                    .hasSize(1);
            assertThat(fixture.query.body("/vms/vm-r1")).as("vm-r1, created once").contains("\"status\":\"created\"");
            assertThat(operatorLog.find(Level.WARN, "vm 'vm-r1' already exists")).as("a second create of vm-r1").isEmpty();
            assertThat(fixture.query.body("/jobs/" + orphan.callId())).as("view of the re-included call")
                    .contains("\"status\":\"succeeded\"", "\"submission\":\"submitted\"",
                            "\"result_tx\":\"" + orphan.result().transactionHash() + "\"");
            assertThat(after.callId()).as("id of the call after the reorganisation").isEqualTo(orphan.callId() + 1);
            assertThat(fixture.query.get("/readyz").statusCode()).as("/readyz after the reorganisation").isEqualTo(200);
        }
    }

    @Test
    void reusedCallIdIsAppliedAsNewCall() throws Exception {
        try (LogCapture operatorLog = LogCapture.of("io.tangle.microvm")) {
            Fixture fixture = start("reorg-reused-id", Map.of());
            Applied orphan = fixture.submitAndAwaitResult(JobIndex.CREATE_VM, "vm-r1");
            fixture.query.awaitIdle(TIMEOUT);
            String rawResult = fixture.rpc.rawTransaction(orphan.result().transactionHash());

            fixture.reorgFrom(orphan.submission().blockNumber());
            fixture.sendRaw(rawResult);
            awaitOrphanReported(operatorLog, orphan.callId(), "vm-r1");

            JobClient.Submission reused = fixture.customer.submitJob(fixture.deployment.serviceId(), JobIndex.CREATE_VM,
                    JobArguments.encode("vm-r2"));
            assertThat(reused.callId()).as("id of the first call after the reorganisation").isEqualTo(orphan.callId());
            Applied next = fixture.submitAndAwaitResult(JobIndex.CREATE_VM, "vm-r3");
            String replacement = "job call " + reused.callId() + " create_vm is applied as a new call";
            String replay = "job call " + reused.callId() + " create_vm already has a";
            Await.until("the operator's decision on call " + reused.callId(), TIMEOUT,
                    () -> !operatorLog.find(Level.ERROR, replacement).isEmpty() || !operatorLog.find(Level.INFO, replay).isEmpty());
            List<JobResultEvent> reusedResults = Await.value("the result of call " + reused.callId(), TIMEOUT,
                    () -> Optional.of(fixture.resultsFor(reused.callId())).filter(results -> !results.isEmpty()));
            fixture.query.awaitIdle(TIMEOUT);

            assertThat(reusedResults).as("results for the call that reused the id").hasSize(1);
            assertThat(operatorLog.find(Level.ERROR, replacement, "vm-r1", "vm-r2")).as("ERROR naming both calls")
                    .hasSize(1);
            assertThat(fixture.query.body("/vms/vm-r2")).as("vm-r2").contains("\"status\":\"created\"");
            assertThat(fixture.query.body("/vms/vm-r1")).as("vm-r1, whose creation stays").contains("\"status\":\"created\"");
            assertThat(fixture.query.body("/jobs/" + reused.callId())).as("view of the reused id")
                    .contains("\"vm_id\":\"vm-r2\"", "\"submission\":\"submitted\"",
                            "\"result_tx\":\"" + reusedResults.getFirst().transactionHash() + "\"");
            assertThat(fixture.query.body("/vms/vm-r3")).as("vm-r3").contains("\"status\":\"created\"");
            assertThat(fixture.resultsFor(next.callId())).as("results for the next call").hasSize(1);
        }
    }

    /**
     * The same reorganisation while the orphaned call's result submission still waits for its
     * receipt. Automatic mining is off, so the test mines the result and reorganises at once, well
     * within the submitter's 500 ms receipt poll. The re-sent result reverts, and the new call takes
     * the id in the same block. Before it signs a fresh transaction, the submitter finds that the
     * orphaned call's block is gone and sends nothing more for it. The new call then gets its own
     * result, sent after that submission ended.
     */
    @Test
    void resultInFlightIsNotSentForReusedId() throws Exception {
        try (LogCapture operatorLog = LogCapture.of("io.tangle.microvm")) {
            Fixture fixture = start("reorg-reused-id-in-flight", Map.of());
            chain.control().setAutomine(false);
            String job = fixture.sendJob("vm-r1");
            chain.control().mine(1);
            Await.until("the operator's result transaction in the pool", TIMEOUT,
                    () -> fixture.rpc.poolStatus().pending() == 1);
            chain.control().mine(1);
            JobResultEvent result = Await.value("the result of call 0", TIMEOUT,
                    () -> fixture.resultsFor(0).stream().findFirst());
            String rawResult = fixture.rpc.rawTransaction(result.transactionHash());

            fixture.reorgFrom(fixture.blockOf(job));
            fixture.sendRaw(rawResult);
            fixture.sendJob("vm-r2");
            chain.control().mine(1);
            chain.control().setAutomine(true);
            awaitOrphanReported(operatorLog, 0, "vm-r1");
            fixture.submitAndAwaitResult(JobIndex.CREATE_VM, "vm-r3");
            List<JobResultEvent> reusedResults = Await.value("the result of call 0", TIMEOUT,
                    () -> Optional.of(fixture.resultsFor(0)).filter(results -> !results.isEmpty()));
            fixture.query.awaitIdle(TIMEOUT);

            assertThat(reusedResults).as("results for the call that reused id 0").hasSize(1);
            assertThat(fixture.query.body("/jobs/0")).as("view of id 0")
                    .contains("\"vm_id\":\"vm-r2\"", "\"submission\":\"submitted\"",
                            "\"result_tx\":\"" + reusedResults.getFirst().transactionHash() + "\"");
            assertThat(reusedResults.getFirst().transactionHash()).as("transaction of the result for id 0")
                    .isNotEqualTo(result.transactionHash());
        }
    }

    @Test
    void reorgWithinConfirmationsIsNeverSeen() throws Exception {
        try (LogCapture operatorLog = LogCapture.of("io.tangle.microvm")) {
            Fixture fixture = start("reorg-confirmations", Map.of("MICROVM_CONFIRMATIONS", "2"));
            JobClient.Submission dropped = fixture.customer.submitJob(fixture.deployment.serviceId(), JobIndex.CREATE_VM,
                    JobArguments.encode("vm-c"));
            String rawJob = fixture.rpc.rawTransaction(dropped.transactionHash());

            fixture.reorgFrom(dropped.blockNumber());
            fixture.sendRaw(rawJob);
            chain.control().mine(2);
            Await.until("vm-c created once the call is back and confirmed", TIMEOUT,
                    () -> fixture.query.get("/vms/vm-c").statusCode() == 200);
            Await.until("the result of call " + dropped.callId(), TIMEOUT,
                    () -> fixture.resultsFor(dropped.callId()).size() == 1);

            assertThat(operatorLog.find(Level.ERROR, "chain reorganisation")).as("reorganisations the operator saw")
                    .isEmpty();
            assertThat(operatorLog.find(Level.INFO, "job call " + dropped.callId() + " create_vm for vm vm-c succeeded"))
                    .as("applications of the call").hasSize(1);
            assertThat(operatorLog.find(Level.INFO, "job call " + dropped.callId() + " create_vm already has a"))
                    .as("replays of the call").isEmpty();
        }
    }

    private Fixture start(String name, Map<String, String> extraEnv) throws Exception {
        chain = LocalChain.start(name);
        Map<String, String> env = OperatorEnvironment.forDeployment(chain.deployment(), chain.deployment().operator(), dir);
        env.putAll(extraEnv);
        operator = Operator.start(OperatorConfigLoader.load(RunOptions.none(), env));
        return new Fixture(chain, new QueryClient(operator.queryPort()));
    }

    private static void awaitOrphanReported(LogCapture log, long callId, String vmId) throws InterruptedException {
        Await.until("call " + callId + " on " + vmId + " reported at ERROR", TIMEOUT,
                () -> !log.find(Level.ERROR, "job call " + callId + " create_vm for vm " + vmId,
                        "may no longer be on chain").isEmpty());
    }

    /** A call the operator applied, with its result on chain. */
    private record Applied(JobClient.Submission submission, JobResultEvent result) {

        long callId() {
            return submission.callId();
        }
    }

    /** The deployment, a customer, the operator's query API and Anvil's extra methods. */
    private static final class Fixture {

        private final LocalChain chain;
        private final LocalDeployment deployment;
        private final JobClient customer;
        private final QueryClient query;
        private final DevChainRpc rpc;

        Fixture(LocalChain chain, QueryClient query) {
            this.chain = chain;
            this.deployment = chain.deployment();
            this.customer = new JobClient(chain.web3j(), deployment.contractAddress(), deployment.owner());
            this.query = query;
            this.rpc = new DevChainRpc(new HttpService(deployment.rpcUrl()));
        }

        Applied submitAndAwaitResult(int jobIndex, String vmId) throws Exception {
            JobClient.Submission submission = customer.submitJob(deployment.serviceId(), jobIndex, JobArguments.encode(vmId));
            JobResultEvent result = customer.awaitResult(deployment.serviceId(), submission.callId(),
                    submission.blockNumber(), TIMEOUT).orElseThrow(() -> new AssertionError(
                            "no result for call " + submission.callId() + " within " + TIMEOUT.toSeconds() + " s"));
            return new Applied(submission, result);
        }

        /**
         * Replaces {@code block} and every block after it with empty blocks, and checks that the
         * reorganisation happened: the block's hash changed and its job calls are gone.
         */
        void reorgFrom(long block) throws Exception {
            long head = Rpc.send(chain.web3j().ethBlockNumber()).getBlockNumber().longValueExact();
            String hashBefore = blockHash(block);
            List<JobSubmittedEvent> callsBefore = events().jobCalls(deployment.activationBlock());

            rpc.reorg((int) (head - block + 1));

            assertThat(blockHash(block)).as("hash of block %d after anvil_reorg; unchanged makes the test invalid", block)
                    .isNotEqualTo(hashBefore);
            assertThat(events().jobCalls(deployment.activationBlock()))
                    .as("job calls after anvil_reorg; the call in block %d must be gone", block)
                    .hasSize((int) callsBefore.stream().filter(call -> call.blockNumber() < block).count());
        }

        /** Sends create_vm for {@code vmId} without waiting for it to be mined; returns the transaction hash. */
        String sendJob(String vmId) throws Exception {
            JobSender sender = new JobSender(chain.web3j(), deployment.contractAddress(), deployment.serviceId(),
                    deployment.chainId());
            return sender.send(List.of(new JobSender.Job(deployment.owner(), JobIndex.CREATE_VM,
                    JobArguments.encode(vmId)))).get(0);
        }

        long blockOf(String transactionHash) throws Exception {
            return Rpc.send(chain.web3j().ethGetTransactionReceipt(transactionHash)).getTransactionReceipt()
                    .orElseThrow(() -> new AssertionError("transaction " + transactionHash + " is not mined"))
                    .getBlockNumber().longValueExact();
        }

        void sendRaw(String rawTransaction) throws Exception {
            EthSendTransaction reply = Rpc.send(chain.web3j().ethSendRawTransaction(rawTransaction));
            assertThat(reply.hasError()).as("node rejected a re-sent transaction: %s",
                    reply.hasError() ? reply.getError().getMessage() : "").isFalse();
        }

        List<JobResultEvent> resultsFor(long callId) throws Exception {
            return events().resultsFrom(deployment.operator().getAddress(), deployment.activationBlock()).stream()
                    .filter(result -> result.callId() == callId).toList();
        }

        private ChainEvents events() {
            return new ChainEvents(chain.web3j(), deployment.contractAddress(), deployment.serviceId());
        }

        private String blockHash(long block) throws Exception {
            return Rpc.send(chain.web3j().ethGetBlockByNumber(DefaultBlockParameter.valueOf(BigInteger.valueOf(block)),
                    false)).getBlock().getHash();
        }
    }
}
