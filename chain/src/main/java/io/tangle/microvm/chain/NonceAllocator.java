package io.tangle.microvm.chain;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameterName;

/**
 * Hands out transaction nonces for one account on one chain, so that several transactions can be
 * in flight at once. It reads the account's pending transaction count once, then counts locally.
 *
 * <p>Use exactly one allocator per account and chain in a process: two allocators for the same
 * account would hand out the same nonces. The lock is held only while a nonce is assigned or
 * returned, never during a request to the node.
 */
public final class NonceAllocator {

    private static final Logger log = LoggerFactory.getLogger(NonceAllocator.class);

    private final Web3j web3j;
    private final String address;
    private final ReentrantLock lock = new ReentrantLock();
    /** Orders allocate-and-send per account; see {@link #sendInOrder}. */
    private final ReentrantLock sendOrder = new ReentrantLock(true);

    // Guarded by lock. next is null until the first read of the pending count.
    private BigInteger next;
    private final TreeSet<BigInteger> released = new TreeSet<>();

    public NonceAllocator(Web3j web3j, String address) {
        this.web3j = Objects.requireNonNull(web3j, "web3j");
        this.address = Objects.requireNonNull(address, "address");
    }

    /** Returns the account whose nonces this allocator hands out. */
    public String address() {
        return address;
    }

    /**
     * Returns the next nonce to sign with: the lowest returned one if any, else one more than the
     * last handed out. The first call reads the pending count from the node.
     */
    public BigInteger allocate() throws RpcException, InterruptedException {
        if (!isInitialized()) {
            BigInteger pending = pendingCount();
            lock.lock();
            try {
                if (next == null) {
                    next = pending;
                    log.info("Nonce allocator for {} starts at nonce {}", address, pending);
                }
            } finally {
                lock.unlock();
            }
        }

        lock.lock();
        try {
            if (!released.isEmpty()) {
                return released.pollFirst();
            }
            BigInteger nonce = next;
            next = next.add(BigInteger.ONE);
            return nonce;
        } finally {
            lock.unlock();
        }
    }

    /** Signs and sends one transaction with the nonce it is given. */
    @FunctionalInterface
    public interface NonceUse<T> {
        T send(BigInteger nonce) throws RpcException, InterruptedException;
    }

    /**
     * Allocates a nonce and runs {@code use} with it while no other transaction of this account is
     * being sent, so the node receives the account's transactions in nonce order. Anvil's
     * automatic mining can leave ready transactions unmined when they arrive out of order
     * (foundry-rs/foundry#10122, seen here with Anvil 1.7.1), and hosted nodes may reject a nonce
     * gap. The lock is held across the send on purpose: one account's sends are serial on the
     * node anyway, and the receipt waits that take long happen outside it.
     */
    public <T> T sendInOrder(NonceUse<T> use) throws RpcException, InterruptedException {
        sendOrder.lockInterruptibly();
        try {
            return use.send(allocate());
        } finally {
            sendOrder.unlock();
        }
    }

    /**
     * Fills the nonces below {@code nonce} for which the node has no transaction, so that a
     * transaction with {@code nonce} can be mined. Such a gap stays when a mined transaction leaves
     * the chain in a reorganisation and no node puts it back in its pool (Anvil drops them), or
     * when a transaction whose sender gave up never reached the node. Runs while no other
     * transaction of the account is being sent, so every nonce below {@code nonce} that is in use
     * has reached the node by then, unless its send failed in transport; such a transaction and
     * its filler then compete for the nonce, and the one that loses is sent again with a new one.
     *
     * @param filler signs and sends one transaction with the nonce it is given
     * @return the nonces filled, in ascending order
     */
    public List<BigInteger> fillGapBelow(BigInteger nonce, NonceUse<?> filler) throws RpcException, InterruptedException {
        // Almost always there is no gap: this first read runs without the send lock, so that the
        // usual check holds up no other sender while it waits for the node.
        if (pendingCount().compareTo(nonce) >= 0) {
            return List.of();
        }

        sendOrder.lockInterruptibly();
        try {
            List<BigInteger> filled = new ArrayList<>();
            for (BigInteger gap = pendingCount(); gap.compareTo(nonce) < 0; gap = gap.add(BigInteger.ONE)) {
                lock.lock();
                try {
                    released.remove(gap);
                } finally {
                    lock.unlock();
                }
                filler.send(gap);
                filled.add(gap);
            }
            return filled;
        } finally {
            sendOrder.unlock();
        }
    }

    /**
     * Takes back a nonce whose transaction the node definitely rejected, so that the next
     * allocation fills the gap instead of leaving later transactions stuck behind it. Never call
     * this for a transaction that may have reached the node.
     */
    public void release(BigInteger nonce) {
        lock.lock();
        try {
            if (next == null || nonce.compareTo(next) >= 0) {
                return;
            }
            released.add(nonce);
            // Shrink the counter while its top nonce is free, so released nonces do not pile up.
            while (released.contains(next.subtract(BigInteger.ONE))) {
                next = next.subtract(BigInteger.ONE);
                released.remove(next);
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Reads the pending count again after the node reported a nonce as already used (another
     * sender used this account). The counter only moves forward, because nonces above the node's
     * count may belong to transactions of ours still in flight.
     */
    public void resync() throws RpcException, InterruptedException {
        BigInteger pending = pendingCount();
        lock.lock();
        try {
            if (next == null || pending.compareTo(next) > 0) {
                log.warn("Nonce allocator for {} moves from {} to the node's pending count {}: another sender used this account",
                        address, next, pending);
                next = pending;
            }
            released.headSet(pending).clear();
        } finally {
            lock.unlock();
        }
    }

    private boolean isInitialized() {
        lock.lock();
        try {
            return next != null;
        } finally {
            lock.unlock();
        }
    }

    private BigInteger pendingCount() throws RpcException, InterruptedException {
        return Rpc.send(web3j.ethGetTransactionCount(address, DefaultBlockParameterName.PENDING)).getTransactionCount();
    }
}
