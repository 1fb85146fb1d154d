package io.tangle.microvm.chain.local;

import io.tangle.microvm.chain.MalformedLogException;
import io.tangle.microvm.chain.OperatorKeystore;
import io.tangle.microvm.chain.Rpc;
import io.tangle.microvm.chain.RpcException;
import io.tangle.microvm.chain.TangleFunctions;
import io.tangle.microvm.chain.TangleSignatures;
import io.tangle.microvm.chain.TransactionRunner;
import java.math.BigInteger;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.methods.response.Log;
import org.web3j.protocol.core.methods.response.TransactionReceipt;

/**
 * Deploys the local Tangle contract and sets up one active service. It creates a blueprint with
 * the given jobs and empty schemas, and registers each operator with its 65-byte public key and an
 * empty RPC address. The owner then requests a service with those operators, and each approves it.
 */
public final class LocalTangleDeployer {

    private static final Logger log = LoggerFactory.getLogger(LocalTangleDeployer.class);

    /** The microVM blueprint's jobs; the position in this list is the on-chain job index. */
    public static final List<String> MICROVM_JOBS = List.of("create_vm", "start_vm", "stop_vm", "snapshot_vm", "destroy_vm", "restore_vm");

    /** The exposure percentage each operator approves the service with; the local contract ignores it. */
    private static final int STAKING_PERCENT = 50;

    private static final Duration RECEIPT_TIMEOUT = Duration.ofSeconds(30);

    /**
     * The deployment's accounts and blueprint.
     *
     * @param requiredResultCount results that complete a job call; 1 is the real contract's default
     */
    public record Request(Credentials owner, List<Credentials> operators, List<String> jobNames, int requiredResultCount) {

        public Request {
            Objects.requireNonNull(owner, "owner");
            operators = List.copyOf(operators);
            jobNames = List.copyOf(jobNames);
            if (operators.isEmpty()) {
                throw new IllegalArgumentException("at least one operator is needed");
            }
            if (jobNames.isEmpty() || jobNames.size() > 255) {
                throw new IllegalArgumentException("a blueprint needs 1 to 255 jobs: " + jobNames.size());
            }
            if (requiredResultCount < 1 || requiredResultCount > operators.size()) {
                throw new IllegalArgumentException("requiredResultCount must be between 1 and the operator count "
                        + operators.size() + ": " + requiredResultCount);
            }
        }

        /** Dev account #0 as owner, #1 as the only operator, the six microVM jobs, one result per call. */
        public static Request defaults() {
            return new Request(DevAccounts.owner(), List.of(DevAccounts.operator()), MICROVM_JOBS, 1);
        }

        public Request withOperators(List<Credentials> newOperators) {
            return new Request(owner, newOperators, jobNames, requiredResultCount);
        }

        public Request withRequiredResultCount(int count) {
            return new Request(owner, operators, jobNames, count);
        }
    }

    private LocalTangleDeployer() {
    }

    /** Deploys with {@link Request#defaults()}. */
    public static LocalDeployment deploy(Web3j web3j, String rpcUrl) throws RpcException, InterruptedException {
        return deploy(web3j, rpcUrl, Request.defaults());
    }

    /**
     * Deploys the contract from the jar's artifact and sets up the service.
     *
     * @throws io.tangle.microvm.chain.ContractRevertException if a setup transaction reverts
     * @throws RpcException if a request to the node fails
     */
    public static LocalDeployment deploy(Web3j web3j, String rpcUrl, Request request) throws RpcException, InterruptedException {
        long chainId = Rpc.send(web3j.ethChainId()).getChainId().longValueExact();
        TransactionRunner owner = new TransactionRunner(web3j, request.owner(), RECEIPT_TIMEOUT);

        String contract = owner.deploy(ContractArtifact.localTangle().bytecode()).getContractAddress();

        List<LocalTangleFunctions.JobDefinition> jobs = request.jobNames().stream().map(LocalTangleFunctions.JobDefinition::named).toList();
        TransactionReceipt created = owner.call(contract, LocalTangleFunctions.createBlueprint(jobs, request.requiredResultCount()));
        long blueprintId = indexedId(created, contract, LocalTangleEvents.BLUEPRINT_CREATED_TOPIC, "BlueprintCreated");

        for (Credentials operator : request.operators()) {
            byte[] publicKey = OperatorKeystore.uncompressedPublicKey(operator.getEcKeyPair());
            new TransactionRunner(web3j, operator, RECEIPT_TIMEOUT).call(contract, TangleFunctions.registerOperator(blueprintId, publicKey, ""));
        }

        List<String> operatorAddresses = request.operators().stream().map(Credentials::getAddress).toList();
        TransactionReceipt requested = owner.call(contract, TangleFunctions.requestService(blueprintId, operatorAddresses, new byte[0],
                List.of(), 0, "0x0000000000000000000000000000000000000000", BigInteger.ZERO));
        long requestId = indexedId(requested, contract, TangleSignatures.SERVICE_REQUESTED_TOPIC, "ServiceRequested");

        TransactionReceipt lastApproval = null;
        for (Credentials operator : request.operators()) {
            lastApproval = new TransactionRunner(web3j, operator, RECEIPT_TIMEOUT).call(contract, TangleFunctions.approveService(requestId, STAKING_PERCENT));
        }
        long serviceId = indexedId(lastApproval, contract, TangleSignatures.SERVICE_ACTIVATED_TOPIC, "ServiceActivated");
        long activationBlock = lastApproval.getBlockNumber().longValueExact();

        LocalDeployment deployment = new LocalDeployment(rpcUrl, chainId, contract, blueprintId, serviceId, activationBlock,
                request.owner(), request.operators());
        log.info("Deployed {}", deployment);
        return deployment;
    }

    /** Reads topic 1 (the first indexed uint64) of the receipt's first log with the given topic0 from the contract. */
    private static long indexedId(TransactionReceipt receipt, String contract, String topic0, String event) {
        for (Log entry : receipt.getLogs()) {
            if (contract.equalsIgnoreCase(entry.getAddress()) && !entry.getTopics().isEmpty() && topic0.equalsIgnoreCase(entry.getTopics().get(0))) {
                try {
                    return LocalTangleEvents.topicUint64(entry, 1, event);
                } catch (MalformedLogException e) {
                    throw new IllegalStateException("malformed " + event + " log in transaction " + receipt.getTransactionHash() + ": " + e.getMessage(), e);
                }
            }
        }
        throw new IllegalStateException("transaction " + receipt.getTransactionHash() + " emitted no " + event + " event from " + contract);
    }
}
