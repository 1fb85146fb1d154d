package io.tangle.microvm.chain.local;

import java.util.List;
import java.util.Objects;
import org.web3j.crypto.Credentials;

/**
 * A local Tangle contract with one active service, as {@link LocalTangleDeployer} sets it up.
 *
 * @param activationBlock the block in which the service became active; a job poller can start there
 * @param owner the contract deployer and service owner, a permitted caller of the service
 * @param operators the service's operators, each registered for the blueprint and approved
 */
public record LocalDeployment(
        String rpcUrl,
        long chainId,
        String contractAddress,
        long blueprintId,
        long serviceId,
        long activationBlock,
        Credentials owner,
        List<Credentials> operators) {

    public LocalDeployment {
        Objects.requireNonNull(rpcUrl, "rpcUrl");
        Objects.requireNonNull(contractAddress, "contractAddress");
        Objects.requireNonNull(owner, "owner");
        operators = List.copyOf(operators);
        if (operators.isEmpty()) {
            throw new IllegalArgumentException("a deployment needs at least one operator");
        }
    }

    /** Returns the first operator. */
    public Credentials operator() {
        return operators.get(0);
    }

    /** Addresses only: the keys stay out of logs. */
    @Override
    public String toString() {
        return "LocalDeployment[rpc " + rpcUrl + ", chain " + chainId + ", contract " + contractAddress + ", blueprint " + blueprintId
                + ", service " + serviceId + " active since block " + activationBlock + ", owner " + owner.getAddress()
                + ", operators " + operators.stream().map(Credentials::getAddress).toList() + "]";
    }
}
