package io.tangle.microvm.provider.firecracker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tangle.microvm.runtime.VmAlreadyExistsException;
import io.tangle.microvm.runtime.VmOperation;
import io.tangle.microvm.runtime.VmProviderException;
import io.tangle.microvm.runtime.VmStatus;
import io.tangle.microvm.runtime.VmView;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Failing steps, hung and dying Firecracker processes, and concurrent creates, against the fake. */
class FirecrackerVmProviderFailureTest {

    private static final Duration WAIT = Duration.ofSeconds(15);

    @TempDir
    Path root;

    private FakeFirecrackerSetup setup;
    private FirecrackerConfig config;

    @BeforeEach
    void createSetup() throws Exception {
        setup = FakeFirecrackerSetup.create(root);
        config = setup.config();
    }

    @AfterEach
    void checkRequestsAndKillLeftovers() {
        FakeFirecrackerSetup.killAll(config);
        assertThat(setup.invalidRequests()).as("requests that break the Firecracker API definition").isEmpty();
    }

    private static VmView view(FirecrackerVmProvider provider, String vmId) {
        return provider.getVm(vmId).orElseThrow();
    }

    private List<String> snapshotFiles(String vmId) throws Exception {
        try (Stream<Path> files = Files.list(config.stateDir().resolve(vmId).resolve("snapshots"))) {
            return files.map(path -> path.getFileName().toString()).toList();
        }
    }

    @Test
    void failedSnapshotResumesAndCleansUp() throws Exception {
        setup.hooks(FakeFaults.FAIL, "snapshot-create");
        try (FirecrackerVmProvider provider = FirecrackerVmProvider.start(config)) {
            provider.createVm("vm-s");
            provider.startVm("vm-s");
            long pid = provider.processId("vm-s").orElseThrow();

            assertThatThrownBy(() -> provider.snapshotVm("vm-s", "s1"))
                    .isInstanceOf(VmProviderException.class)
                    .hasMessageContaining("vm-s")
                    .hasMessageContaining("create the snapshot")
                    .hasMessageContaining("injected failure of step snapshot-create");

            assertThat(view(provider, "vm-s").status()).isEqualTo(VmStatus.RUNNING);
            assertThat(view(provider, "vm-s").snapshots()).isEmpty();
            assertThat(snapshotFiles("vm-s")).isEmpty();
            List<String> calls = setup.calls(pid);
            assertThat(calls.subList(calls.size() - 3, calls.size())).satisfiesExactly(
                    call -> assertThat(call).isEqualTo("PATCH /vm {\"state\":\"Paused\"}"),
                    call -> assertThat(call).startsWith("PUT /snapshot/create "),
                    call -> assertThat(call).isEqualTo("PATCH /vm {\"state\":\"Resumed\"}"));
        }
    }

    @Test
    void failedResumeReportsVmStopped() throws Exception {
        setup.hooks(FakeFaults.FAIL, "snapshot-create,resume");
        try (FirecrackerVmProvider provider = FirecrackerVmProvider.start(config)) {
            provider.createVm("vm-p");
            provider.startVm("vm-p");

            assertThatThrownBy(() -> provider.snapshotVm("vm-p", "s1"))
                    .isInstanceOf(VmProviderException.class)
                    .hasMessageContaining("create the snapshot");

            assertThat(view(provider, "vm-p").status()).isEqualTo(VmStatus.STOPPED);
            assertThat(view(provider, "vm-p").detail()).contains("paused after a failed snapshot");
            assertThat(snapshotFiles("vm-p")).isEmpty();
        }
    }

    @Test
    void destroyWithHungApiIsBounded() throws Exception {
        setup.hooks(FakeFaults.HANG, "ctrl-alt-del", FakeFaults.IGNORE_SIGTERM, "1");
        config = config.withTimeouts(Duration.ofMillis(1000), config.socketReadyTimeout(), config.snapshotTimeout(),
                Duration.ofMillis(1000));
        try (FirecrackerVmProvider provider = FirecrackerVmProvider.start(config)) {
            provider.createVm("vm-h");
            provider.startVm("vm-h");
            long pid = provider.processId("vm-h").orElseThrow();
            Path socket = config.socketDir().resolve("vm-h.0.sock");
            assertThat(socket).exists();

            Instant start = Instant.now();
            CompletableFuture<Void> destroy = CompletableFuture.runAsync(() -> provider.destroyVm("vm-h"));
            FakeFirecrackerSetup.await("the SendCtrlAltDel request", WAIT,
                    () -> setup.calls(pid).contains("PUT /actions {\"action_type\":\"SendCtrlAltDel\"}"));
            // Queries must not wait for the hung API.
            Instant queryStart = Instant.now();
            assertThat(provider.getVm("vm-h")).map(VmView::status).contains(VmStatus.RUNNING);
            assertThat(Duration.between(queryStart, Instant.now())).isLessThan(Duration.ofMillis(200));
            destroy.get(15, TimeUnit.SECONDS);

            // API timeout, then SIGTERM (ignored) and SIGKILL, 1 s each, plus a margin.
            assertThat(Duration.between(start, Instant.now())).isLessThan(Duration.ofSeconds(5));
            assertThat(view(provider, "vm-h").status()).isEqualTo(VmStatus.DESTROYED);
            assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).isNotEqualTo(Optional.of(true));
            assertThat(FakeFirecrackerSetup.livePids(config)).isEmpty();
            assertThat(socket).doesNotExist();
            assertThat(config.stateDir().resolve("vm-h")).doesNotExist();
        }
    }

    @Test
    void killedVmmStopsVmUntilStart() throws Exception {
        try (FirecrackerVmProvider provider = FirecrackerVmProvider.start(config)) {
            provider.createVm("vm-k");
            provider.startVm("vm-k");
            long pid = provider.processId("vm-k").orElseThrow();
            Path socket = config.socketDir().resolve("vm-k.0.sock");

            ProcessHandle.of(pid).orElseThrow().destroyForcibly();

            FakeFirecrackerSetup.await("vm-k to be stopped", WAIT,
                    () -> view(provider, "vm-k").status() == VmStatus.STOPPED);
            assertThat(view(provider, "vm-k").detail()).contains("killed by signal 9");
            assertThat(provider.processId("vm-k")).isEmpty();
            assertThat(socket).doesNotExist();

            provider.startVm("vm-k");

            long newPid = provider.processId("vm-k").orElseThrow();
            assertThat(view(provider, "vm-k").status()).isEqualTo(VmStatus.RUNNING);
            assertThat(view(provider, "vm-k").detail()).isNull();
            assertThat(FakeFirecrackerSetup.livePids(config)).containsExactly(newPid);
            assertThat(setup.calls(newPid)).hasSize(5)
                    .endsWith("PUT /actions {\"action_type\":\"InstanceStart\"}");
        }
    }

    @Test
    void repeatedFailingCreatesLeaveNothingBehind() throws Exception {
        setup.hooks(FakeFaults.FAIL, "drive");
        try (FirecrackerVmProvider provider = FirecrackerVmProvider.start(config)) {
            for (int attempt = 0; attempt < 2; attempt++) {
                assertThatThrownBy(() -> provider.createVm("vm-f"))
                        .isInstanceOf(VmProviderException.class)
                        .hasMessageContaining("vm-f")
                        .hasMessageContaining("attach the root drive")
                        .hasMessageContaining("injected failure of step drive")
                        .satisfies(e -> assertThat(((VmProviderException) e).operation()).isEqualTo(VmOperation.CREATE));
                assertThat(provider.getVm("vm-f")).isEmpty();
                assertThat(FakeFirecrackerSetup.livePids(config)).isEmpty();
                assertThat(FakeFirecrackerSetup.socketFiles(config)).isEmpty();
                assertThat(config.stateDir().resolve("vm-f")).doesNotExist();
            }

            setup.hooks();
            provider.createVm("vm-f");
            assertThat(view(provider, "vm-f").status()).isEqualTo(VmStatus.CREATED);
            assertThat(FakeFirecrackerSetup.livePids(config)).hasSize(1);
        }
    }

    @Test
    void repeatedFailingStartsLeaveNoProcess() throws Exception {
        setup.hooks(FakeFaults.FAIL, "instance-start");
        try (FirecrackerVmProvider provider = FirecrackerVmProvider.start(config)) {
            provider.createVm("vm-e");
            for (int attempt = 0; attempt < 2; attempt++) {
                assertThatThrownBy(() -> provider.startVm("vm-e"))
                        .isInstanceOf(VmProviderException.class)
                        .hasMessageContaining("start the instance");
                assertThat(view(provider, "vm-e").status()).isEqualTo(VmStatus.CREATED);
                assertThat(FakeFirecrackerSetup.livePids(config)).isEmpty();
                assertThat(FakeFirecrackerSetup.socketFiles(config)).isEmpty();
            }

            setup.hooks();
            provider.startVm("vm-e");
            assertThat(view(provider, "vm-e").status()).isEqualTo(VmStatus.RUNNING);
            assertThat(FakeFirecrackerSetup.livePids(config)).containsExactly(provider.processId("vm-e").orElseThrow());
        }
    }

    @Test
    void vmmExitAtStartFailsFast() throws Exception {
        setup.hooks(FakeFaults.EXIT_AT_START, "3");
        try (FirecrackerVmProvider provider = FirecrackerVmProvider.start(config)) {
            Instant start = Instant.now();

            assertThatThrownBy(() -> provider.createVm("vm-x"))
                    .isInstanceOf(VmProviderException.class)
                    .hasMessageContaining("wait for the API socket")
                    .hasMessageContaining("exited with status 3")
                    .hasMessageContaining("injected start failure");

            // Far below the socket-ready timeout of 20 s.
            assertThat(Duration.between(start, Instant.now())).isLessThan(Duration.ofSeconds(5));
            assertThat(provider.getVm("vm-x")).isEmpty();
            assertThat(config.stateDir().resolve("vm-x")).doesNotExist();
        }
    }

    @Test
    void missingSocketTimesOut() throws Exception {
        setup.hooks(FakeFaults.NO_SOCKET, "1");
        config = config.withTimeouts(config.apiTimeout(), Duration.ofMillis(1500), config.snapshotTimeout(),
                config.stopTimeout());
        try (FirecrackerVmProvider provider = FirecrackerVmProvider.start(config)) {
            assertThatThrownBy(() -> provider.createVm("vm-n"))
                    .isInstanceOf(VmProviderException.class)
                    .hasMessageContaining("did not answer GET / within 1500 ms")
                    .hasMessageContaining("was still running and was killed");

            assertThat(provider.getVm("vm-n")).isEmpty();
            assertThat(FakeFirecrackerSetup.livePids(config)).isEmpty();
            assertThat(FakeFirecrackerSetup.socketFiles(config)).isEmpty();
        }
    }

    @Test
    void liveSocketListenerIsKept() throws Exception {
        try (FirecrackerVmProvider provider = FirecrackerVmProvider.start(config);
                ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            Path socket = config.socketDir().resolve("vm-l.0.sock");
            listener.bind(UnixDomainSocketAddress.of(socket));

            assertThatThrownBy(() -> provider.createVm("vm-l"))
                    .isInstanceOf(VmProviderException.class)
                    .hasMessageContaining("in use by a live process");

            assertThat(socket).exists();
            assertThat(FakeFirecrackerSetup.livePids(config)).isEmpty();
            assertThat(provider.getVm("vm-l")).isEmpty();
            Files.delete(socket);
        }
    }

    @Test
    void missingBinaryIsReportedByCreate() throws Exception {
        config = config.withBinary(root.resolve("no-such-firecracker"));
        try (FirecrackerVmProvider provider = FirecrackerVmProvider.start(config)) {
            assertThatThrownBy(() -> provider.createVm("vm-m"))
                    .isInstanceOf(VmProviderException.class)
                    .hasMessageContaining("firecracker binary not found: " + root.resolve("no-such-firecracker"))
                    .hasMessageContaining(FirecrackerConfig.BIN);
            assertThat(provider.getVm("vm-m")).isEmpty();
            assertThat(config.stateDir().resolve("vm-m")).doesNotExist();
        }
    }

    @Test
    void concurrentDuplicateCreateSpawnsOneProcess() throws Exception {
        try (FirecrackerVmProvider provider = FirecrackerVmProvider.start(config);
                ExecutorService executor = Executors.newFixedThreadPool(2)) {
            CountDownLatch ready = new CountDownLatch(2);
            List<Future<Throwable>> creates = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                creates.add(executor.submit(() -> {
                    ready.countDown();
                    ready.await();
                    try {
                        provider.createVm("vm-d");
                        return null;
                    } catch (RuntimeException e) {
                        return e;
                    }
                }));
            }
            List<Throwable> outcomes = new ArrayList<>();
            for (Future<Throwable> create : creates) {
                outcomes.add(create.get(30, TimeUnit.SECONDS));
            }

            assertThat(outcomes).filteredOn(outcome -> outcome == null).hasSize(1);
            assertThat(outcomes).filteredOn(outcome -> outcome != null)
                    .singleElement().isInstanceOf(VmAlreadyExistsException.class);
            assertThat(FakeFirecrackerSetup.livePids(config)).containsExactly(provider.processId("vm-d").orElseThrow());
            assertThat(setup.requests().stream().map(FakeFirecrackerSetup.LoggedRequest::pid).distinct())
                    .containsExactly(provider.processId("vm-d").orElseThrow());
        }
    }
}
