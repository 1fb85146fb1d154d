package io.tangle.microvm.chain;

import java.math.BigInteger;
import java.util.List;
import java.util.Objects;
import org.web3j.abi.FunctionEncoder;
import org.web3j.abi.FunctionReturnDecoder;
import org.web3j.abi.datatypes.Address;
import org.web3j.abi.datatypes.Bool;
import org.web3j.abi.datatypes.Function;
import org.web3j.abi.datatypes.Type;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.methods.request.Transaction;
import org.web3j.protocol.core.methods.response.EthCall;

/** Read-only calls ({@code eth_call} at the latest block) to the Tangle core contract. */
public final class TangleQueries {

    private final Web3j web3j;
    private final String contractAddress;

    public TangleQueries(Web3j web3j, String contractAddress) {
        this.web3j = Objects.requireNonNull(web3j, "web3j");
        this.contractAddress = Objects.requireNonNull(contractAddress, "contractAddress");
    }

    /**
     * Reads a job call.
     *
     * @throws ContractRevertException if the contract reverts, for example with {@code JobCallNotFound}
     * @throws RpcException if the request fails
     */
    @SuppressWarnings("rawtypes") // web3j decodes return values into a list of raw Type.
    public JobCallInfo getJobCall(long serviceId, long callId) throws RpcException, InterruptedException {
        List<Type> values = call(TangleFunctions.getJobCall(serviceId, callId));
        if (values.size() != 7) {
            throw new IllegalStateException("getJobCall(" + serviceId + ", " + callId + ") on " + contractAddress
                    + " returned " + values.size() + " values instead of 7; is this a Tangle contract?");
        }
        return new JobCallInfo(
                ((BigInteger) values.get(0).getValue()).intValueExact(),
                ((Address) values.get(1)).getValue(),
                ((BigInteger) values.get(2).getValue()).longValueExact(),
                ((BigInteger) values.get(3).getValue()).longValueExact(),
                (BigInteger) values.get(4).getValue(),
                ((Bool) values.get(5)).getValue(),
                ((Bool) values.get(6)).getValue());
    }

    /** Returns whether {@code operator} is registered for the blueprint. */
    @SuppressWarnings("rawtypes")
    public boolean isOperatorRegistered(long blueprintId, String operator) throws RpcException, InterruptedException {
        List<Type> values = call(TangleFunctions.isOperatorRegistered(blueprintId, operator));
        if (values.size() != 1) {
            throw new IllegalStateException("isOperatorRegistered on " + contractAddress + " returned "
                    + values.size() + " values instead of 1; is this a Tangle contract?");
        }
        return ((Bool) values.get(0)).getValue();
    }

    @SuppressWarnings("rawtypes")
    private List<Type> call(Function function) throws RpcException, InterruptedException {
        String data = FunctionEncoder.encode(function);
        EthCall reply;
        try {
            reply = Rpc.send(web3j.ethCall(
                    Transaction.createEthCallTransaction(null, contractAddress, data), DefaultBlockParameterName.LATEST));
        } catch (RpcException e) {
            if (e.revertData().isPresent()) {
                throw new ContractRevertException(function.getName(), e.revertData().get(), e);
            }
            throw e;
        }
        return FunctionReturnDecoder.decode(reply.getValue(), function.getOutputParameters());
    }
}
