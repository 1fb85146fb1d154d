package io.tangle.microvm.chain.local;

import io.tangle.microvm.chain.Rpc;
import io.tangle.microvm.chain.RpcException;
import java.util.List;
import java.util.Objects;
import org.web3j.protocol.Web3jService;
import org.web3j.protocol.core.Request;
import org.web3j.protocol.core.Response;

/**
 * Anvil's test-only JSON-RPC methods: mining on demand, switching automatic mining, and
 * snapshots of the chain state. They exist on Anvil and Hardhat, not on production nodes.
 */
public final class AnvilControl {

    /** A JSON-RPC reply whose result is read as raw JSON. */
    public static final class RawResponse extends Response<Object> {
    }

    private final Web3jService service;

    public AnvilControl(Web3jService service) {
        this.service = Objects.requireNonNull(service, "service");
    }

    /** Mines {@code blocks} empty blocks at once ({@code anvil_mine}). */
    public void mine(long blocks) throws RpcException, InterruptedException {
        send("anvil_mine", List.of("0x" + Long.toHexString(blocks)));
    }

    /** Turns mining of each transaction on arrival on or off ({@code evm_setAutomine}). */
    public void setAutomine(boolean enabled) throws RpcException, InterruptedException {
        send("evm_setAutomine", List.of(enabled));
    }

    /** Saves the chain state and returns its id for {@link #revert(String)} ({@code evm_snapshot}). */
    public String snapshot() throws RpcException, InterruptedException {
        return String.valueOf(send("evm_snapshot", List.of()).getResult());
    }

    /**
     * Returns the chain to a saved state, dropping the blocks mined since ({@code evm_revert}).
     * Blocks mined afterwards reuse the dropped numbers with new hashes, as after a reorganisation.
     */
    public boolean revert(String snapshotId) throws RpcException, InterruptedException {
        return Boolean.TRUE.equals(send("evm_revert", List.of(snapshotId)).getResult());
    }

    private RawResponse send(String method, List<?> params) throws RpcException, InterruptedException {
        return Rpc.send(new Request<>(method, params, service, RawResponse.class));
    }
}
