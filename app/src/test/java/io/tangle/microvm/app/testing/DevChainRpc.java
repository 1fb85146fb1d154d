package io.tangle.microvm.app.testing;

import io.tangle.microvm.chain.Rpc;
import io.tangle.microvm.chain.RpcException;
import io.tangle.microvm.chain.local.AnvilControl;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.web3j.protocol.Web3jService;
import org.web3j.protocol.core.Request;
import org.web3j.utils.Numeric;

/**
 * JSON-RPC methods of Anvil (1.7.1) that tests need and {@link AnvilControl} does not offer:
 * transaction pool status, {@code anvil_reorg} and raw transaction bytes.
 */
public final class DevChainRpc {

    /** The counts of {@code txpool_status}. */
    public record PoolStatus(long pending, long queued) {
    }

    private final Web3jService service;

    public DevChainRpc(Web3jService service) {
        this.service = Objects.requireNonNull(service, "service");
    }

    /** Returns the pending and queued transaction counts of the node's pool. */
    public PoolStatus poolStatus() throws RpcException, InterruptedException {
        Map<?, ?> result = (Map<?, ?>) call("txpool_status", List.of());
        return new PoolStatus(quantity(result.get("pending")), quantity(result.get("queued")));
    }

    /**
     * Replaces the newest {@code depth} blocks with as many new empty blocks ({@code anvil_reorg}).
     * Anvil drops the replaced blocks' transactions; it does not return them to the pool.
     */
    public void reorg(int depth) throws RpcException, InterruptedException {
        call("anvil_reorg", List.of(depth, List.of()));
    }

    /** Returns the signed bytes of a known transaction as {@code 0x} hex. */
    public String rawTransaction(String hash) throws RpcException, InterruptedException {
        Object raw = call("eth_getRawTransactionByHash", List.of(hash));
        if (raw == null) {
            throw new IllegalStateException("the node does not know transaction " + hash);
        }
        return raw.toString();
    }

    private Object call(String method, List<?> params) throws RpcException, InterruptedException {
        return Rpc.send(new Request<>(method, params, service, AnvilControl.RawResponse.class)).getResult();
    }

    private static long quantity(Object value) {
        return switch (value) {
            case String hex -> Numeric.decodeQuantity(hex).longValueExact();
            case Number number -> number.longValue();
            case null, default -> throw new IllegalStateException("txpool_status returned " + value
                    + " where a quantity was expected");
        };
    }
}
