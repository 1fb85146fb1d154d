package io.tangle.microvm.app.bench;

import io.tangle.microvm.chain.Rpc;
import io.tangle.microvm.chain.RpcException;
import io.tangle.microvm.chain.local.AnvilControl;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.web3j.protocol.core.Request;
import org.web3j.protocol.http.HttpService;

/**
 * Samples Anvil's {@code txpool_status} on a thread of its own while a burst runs. Queued
 * transactions wait for a lower nonce of their sender that the node has not received yet, so a
 * high queued count shows results held up behind a gap in the sender's nonces.
 */
final class PoolSampler implements AutoCloseable {

    private static final Duration INTERVAL = Duration.ofMillis(100);

    /** The largest counts seen, and how many samples saw any queued transaction. */
    record Peaks(long maxPending, long maxQueued, int samplesWithQueued, int samples) {

        @Override
        public String toString() {
            return "pool peaks: " + maxPending + " pending, " + maxQueued + " queued (queued in " + samplesWithQueued
                    + " of " + samples + " samples every " + INTERVAL.toMillis() + " ms)";
        }
    }

    private final HttpService service;
    private final Thread thread;
    private volatile boolean stopped;
    private long maxPending;
    private long maxQueued;
    private int samplesWithQueued;
    private int samples;

    private PoolSampler(String rpcUrl) {
        this.service = new HttpService(rpcUrl);
        this.thread = Thread.ofPlatform().daemon().name("pool-sampler").unstarted(this::run);
    }

    static PoolSampler start(String rpcUrl) {
        PoolSampler sampler = new PoolSampler(rpcUrl);
        sampler.thread.start();
        return sampler;
    }

    /** Stops sampling and returns the peaks. */
    Peaks stop() throws InterruptedException {
        stopped = true;
        thread.join();
        return new Peaks(maxPending, maxQueued, samplesWithQueued, samples);
    }

    @Override
    public void close() {
        stopped = true;
        thread.interrupt();
    }

    private void run() {
        while (!stopped) {
            try {
                sample();
                Thread.sleep(INTERVAL);
            } catch (InterruptedException e) {
                return;
            } catch (RpcException | RuntimeException e) {
                // A missed sample only lowers the resolution.
            }
        }
    }

    private void sample() throws RpcException, InterruptedException {
        Object status = Rpc.send(new Request<>("txpool_status", List.of(), service, AnvilControl.RawResponse.class))
                .getResult();
        if (!(status instanceof Map<?, ?> counts)) {
            return;
        }
        long pending = parse(counts.get("pending"));
        long queued = parse(counts.get("queued"));
        samples++;
        maxPending = Math.max(maxPending, pending);
        maxQueued = Math.max(maxQueued, queued);
        if (queued > 0) {
            samplesWithQueued++;
        }
    }

    /** Reads a count that the node sends as a hex string or a number. */
    private static long parse(Object value) {
        if (value instanceof Number number) {
            return number.longValue();
        }
        String text = String.valueOf(value);
        return text.startsWith("0x") ? Long.parseLong(text.substring(2), 16) : Long.parseLong(text);
    }
}
