package io.tangle.microvm.app.bench;

import io.tangle.microvm.app.bench.CallLoader.LoadedCall;
import io.tangle.microvm.chain.NonceAllocator;
import io.tangle.microvm.chain.ResultSubmitter;
import io.tangle.microvm.chain.SubmissionResult;
import io.tangle.microvm.chain.SubmitterConfig;
import io.tangle.microvm.chain.local.LocalDeployment;
import io.tangle.microvm.jobs.JobResults;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.http.HttpService;

/**
 * The baseline of the throughput and catch-up benchmarks: sends results for known calls with the
 * operator's key through the project's {@link ResultSubmitter}, as the operator does (own web3j
 * client, one {@link NonceAllocator}), but with no chain polling, job dispatch, provider or store.
 * It gets the call ids from the loader, so it starts sending as soon as the calls are mined. For
 * throughput it sends one {@code submitResult} per call; the catch-up benchmark gives it the
 * operator's default batching instead.
 */
final class BaselineResultClient implements AutoCloseable {

    /** The operator's limit for single-result transactions in flight, when its batching is off. */
    private static final int SINGLE_SUBMISSIONS_IN_FLIGHT = 64;

    private final Web3j web3j;
    private final ResultSubmitter submitter;
    private final long serviceId;

    /** A client that sends one {@code submitResult} per call, with 64 in flight. */
    BaselineResultClient(LocalDeployment deployment) {
        this(deployment, SubmitterConfig.defaults().withBatching(1, SINGLE_SUBMISSIONS_IN_FLIGHT));
    }

    /** A client whose submitter uses {@code config}, for a baseline that batches as the operator does. */
    BaselineResultClient(LocalDeployment deployment, SubmitterConfig config) {
        Credentials operator = deployment.operator();
        this.web3j = Web3j.build(new HttpService(deployment.rpcUrl()));
        this.submitter = new ResultSubmitter(web3j, operator, deployment.contractAddress(),
                new NonceAllocator(web3j, operator.getAddress()), config);
        this.serviceId = deployment.serviceId();
    }

    /** Starts one submission per call, in call id order, and returns without waiting for them. */
    CompletableFuture<List<SubmissionResult>> submitAll(List<LoadedCall> calls) {
        List<CompletableFuture<SubmissionResult>> futures = new ArrayList<>();
        for (LoadedCall call : calls) {
            futures.add(submitter.submit(serviceId, call.callId(), JobResults.abiTrue()));
        }
        return CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new))
                .thenApply(ignored -> futures.stream().map(CompletableFuture::join).toList());
    }

    @Override
    public void close() {
        submitter.close();
        web3j.shutdown();
    }
}
