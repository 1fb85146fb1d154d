package io.tangle.microvm.app.operator;

import io.tangle.microvm.chain.Rpc;
import io.tangle.microvm.chain.RpcException;
import io.tangle.microvm.chain.TangleSignatures;
import java.math.BigInteger;
import java.util.List;
import java.util.Optional;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameter;
import org.web3j.protocol.core.methods.request.EthFilter;
import org.web3j.protocol.core.methods.response.EthLog;
import org.web3j.protocol.core.methods.response.Log;
import org.web3j.utils.Numeric;

/**
 * Finds the block where a service was activated, the natural first block to scan on a first
 * start: no job call of the service can be older.
 */
final class ServiceActivation {

    private ServiceActivation() {
    }

    /**
     * Searches backwards from the chain head in ranges of {@code maxBlockRange} blocks, because a
     * service is usually activated recently and hosted nodes cap the range of one log query.
     */
    static Optional<Long> findBlock(Web3j web3j, String contract, long serviceId, long maxBlockRange)
            throws RpcException, InterruptedException {
        long head = Rpc.send(web3j.ethBlockNumber()).getBlockNumber().longValueExact();
        String serviceTopic = Numeric.toHexStringWithPrefixZeroPadded(BigInteger.valueOf(serviceId), 64);

        for (long to = head; to >= 0; to -= maxBlockRange) {
            long from = Math.max(0, to - maxBlockRange + 1);
            EthFilter filter = new EthFilter(DefaultBlockParameter.valueOf(BigInteger.valueOf(from)),
                    DefaultBlockParameter.valueOf(BigInteger.valueOf(to)), contract);
            filter.addSingleTopic(TangleSignatures.SERVICE_ACTIVATED_TOPIC);
            filter.addSingleTopic(serviceTopic);

            List<EthLog.LogResult> logs = Rpc.send(web3j.ethGetLogs(filter)).getLogs();
            if (!logs.isEmpty()) {
                Log last = (Log) logs.get(logs.size() - 1).get();
                return Optional.of(last.getBlockNumber().longValueExact());
            }
        }
        return Optional.empty();
    }
}
