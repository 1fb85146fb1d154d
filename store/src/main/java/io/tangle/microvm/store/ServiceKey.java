package io.tangle.microvm.store;

import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Identity of one service instance: the chain, the Tangle contract and the service id. Every
 * service gets its own database, so services that share a data directory never see each other's
 * state.
 *
 * @param chainId the EVM chain id, at least 1
 * @param contractAddress the Tangle contract as a 0x-prefixed 20-byte hex address. Mixed-case
 *     (checksummed) input is stored in lowercase.
 * @param serviceId the service id on that contract, at least 0
 */
public record ServiceKey(long chainId, String contractAddress, long serviceId) {

    private static final Pattern ADDRESS = Pattern.compile("0x[0-9a-fA-F]{40}");

    public ServiceKey {
        if (chainId < 1) {
            throw new IllegalArgumentException("chainId < 1: " + chainId);
        }
        Objects.requireNonNull(contractAddress, "contractAddress");
        if (!ADDRESS.matcher(contractAddress).matches()) {
            throw new IllegalArgumentException(
                    "contractAddress is not a 0x-prefixed 20-byte hex address: '" + contractAddress + "'");
        }
        contractAddress = contractAddress.toLowerCase(Locale.ROOT);
        if (serviceId < 0) {
            throw new IllegalArgumentException("serviceId < 0: " + serviceId);
        }
    }

    /** Returns the name of this service's directory under the data directory, {@code <chainId>-<contract>-<serviceId>}. */
    public String directoryName() {
        return chainId + "-" + contractAddress + "-" + serviceId;
    }
}
