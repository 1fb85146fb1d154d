package io.tangle.microvm.runtime.inmemory;

import static org.assertj.core.api.Assertions.assertThat;

import io.tangle.microvm.runtime.VmAlreadyExistsException;
import io.tangle.microvm.runtime.VmStatus;
import io.tangle.microvm.runtime.VmView;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class InMemoryVmProviderConcurrencyTest {

    private static final int THREADS = 16;

    @Test
    void concurrentCreatesHaveOneWinner() throws Exception {
        InMemoryVmProvider provider = new InMemoryVmProvider();
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Boolean>> results = new ArrayList<>();

        try (ExecutorService pool = Executors.newFixedThreadPool(THREADS)) {
            for (int i = 0; i < THREADS; i++) {
                results.add(pool.submit(() -> {
                    go.await(10, TimeUnit.SECONDS);
                    try {
                        provider.createVm("vm-1");
                        return true;
                    } catch (VmAlreadyExistsException e) {
                        return false;
                    }
                }));
            }
            go.countDown();

            int wins = 0;
            for (Future<Boolean> result : results) {
                wins += result.get(10, TimeUnit.SECONDS) ? 1 : 0;
            }
            assertThat(wins).isEqualTo(1);
        }
        assertThat(provider.listVms()).containsExactly(new VmView("vm-1", VmStatus.CREATED, List.of()));
    }

    @Test
    void concurrentSnapshotsKeepEveryName() throws Exception {
        InMemoryVmProvider provider = new InMemoryVmProvider();
        provider.createVm("vm-1");
        CountDownLatch go = new CountDownLatch(1);
        List<Future<?>> results = new ArrayList<>();

        try (ExecutorService pool = Executors.newFixedThreadPool(THREADS)) {
            for (int i = 0; i < THREADS; i++) {
                String name = "snap-" + i;
                results.add(pool.submit(() -> {
                    go.await(10, TimeUnit.SECONDS);
                    provider.snapshotVm("vm-1", name);
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> result : results) {
                result.get(10, TimeUnit.SECONDS);
            }
        }

        assertThat(provider.listSnapshots("vm-1").orElseThrow()).hasSize(THREADS).doesNotHaveDuplicates();
    }
}
