package io.tangle.microvm.app.bench;

import io.tangle.microvm.chain.Rpc;
import io.tangle.microvm.chain.RpcException;
import io.tangle.microvm.chain.local.AnvilControl;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.Request;
import org.web3j.protocol.http.HttpService;

/**
 * Describes an account's transactions in Anvil's pool when results stop arriving, to tell a nonce
 * gap on the sender's side from ready transactions that the node keeps but does not mine. As a
 * last step it mines one block by hand ({@code anvil_mine}) and reports how many of the account's
 * transactions that block took: a ready transaction with the next nonce that only a manual block
 * includes was valid all along, and the node's automatic mining left it behind.
 */
final class PoolDiagnostics {

    private PoolDiagnostics() {
    }

    static String describe(String rpcUrl, String account) throws RpcException, InterruptedException {
        HttpService service = new HttpService(rpcUrl);
        Web3j web3j = Web3j.build(service);
        try {
            BigInteger mined = minedCount(web3j, account);
            BigInteger pending = Rpc.send(web3j.ethGetTransactionCount(account, DefaultBlockParameterName.PENDING))
                    .getTransactionCount();
            Object pool = Rpc.send(new Request<>("txpool_inspect", List.of(), service, AnvilControl.RawResponse.class))
                    .getResult();
            String before = "account " + account + ": mined transaction count " + mined + ", pending count " + pending
                    + "; nonces in the pool: pending (ready) " + ranges(nonces(pool, "pending", account))
                    + ", queued " + ranges(nonces(pool, "queued", account));

            new AnvilControl(service).mine(1);
            BigInteger afterManualBlock = minedCount(web3j, account);
            return before + "; one block mined by anvil_mine then took " + afterManualBlock.subtract(mined)
                    + " of them";
        } finally {
            web3j.shutdown();
        }
    }

    private static BigInteger minedCount(Web3j web3j, String account) throws RpcException, InterruptedException {
        return Rpc.send(web3j.ethGetTransactionCount(account, DefaultBlockParameterName.LATEST)).getTransactionCount();
    }

    /** Returns the sorted nonces listed for {@code account} under {@code section} of a txpool_inspect reply. */
    private static TreeSet<Long> nonces(Object pool, String section, String account) {
        TreeSet<Long> nonces = new TreeSet<>();
        if (!(pool instanceof Map<?, ?> sections) || !(sections.get(section) instanceof Map<?, ?> byAccount)) {
            return nonces;
        }
        for (Map.Entry<?, ?> entry : byAccount.entrySet()) {
            if (String.valueOf(entry.getKey()).equalsIgnoreCase(account) && entry.getValue() instanceof Map<?, ?> byNonce) {
                byNonce.keySet().forEach(nonce -> nonces.add(Long.parseLong(String.valueOf(nonce))));
            }
        }
        return nonces;
    }

    /** Writes sorted numbers as ranges, such as {@code [5-9, 12]}, so a gap is easy to see. */
    private static String ranges(TreeSet<Long> numbers) {
        List<String> parts = new ArrayList<>();
        Long start = null;
        Long previous = null;
        for (long number : numbers) {
            if (start == null) {
                start = number;
            } else if (number != previous + 1) {
                parts.add(start.equals(previous) ? start.toString() : start + "-" + previous);
                start = number;
            }
            previous = number;
        }
        if (start != null) {
            parts.add(start.equals(previous) ? start.toString() : start + "-" + previous);
        }
        return "[" + String.join(", ", parts) + "] (" + numbers.size() + ")";
    }
}
