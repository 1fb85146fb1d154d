package io.tangle.microvm.app.bench;

import io.tangle.microvm.app.operator.Operator;
import io.tangle.microvm.chain.JobArguments;
import io.tangle.microvm.chain.JobResultEvent;
import io.tangle.microvm.chain.local.JobClient;
import io.tangle.microvm.chain.local.LocalDeployment;
import io.tangle.microvm.chain.local.LocalTools;
import io.tangle.microvm.jobs.JobIndex;
import io.tangle.microvm.provider.qemu.QemuConfig;
import io.tangle.microvm.provider.qemu.QemuVmProvider;
import io.tangle.microvm.provider.qemu.SnapshotInfo;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * QEMU figures under TCG with 256 MiB guests:
 * <ol>
 *   <li>boot time through {@link QemuVmProvider#startVm} (call to return, which is after the
 *       guest's ready line) against the same QEMU command launched by {@link PlainQemuBoot},
 *       alternating, after one untimed boot of each;</li>
 *   <li>snapshot time and file size, and restore time, through the provider;</li>
 *   <li>the operator's own heap and RSS (QEMU's memory not included) with 1 and with 5 running
 *       guests, started by create_vm and start_vm jobs on Anvil.</li>
 * </ol>
 */
public final class QemuBenchmark {

    private static final int BOOTS = Integer.getInteger("bench.boots", 5);
    private static final int SNAPSHOTS = 3;
    private static final int GUESTS = Integer.getInteger("bench.guests", 5);
    private static final int MEMORY_MIB = 256;
    private static final double TARGET_RATIO = 1.15;
    private static final Duration JOB_TIMEOUT = Duration.ofMinutes(3);

    /** One boot through the provider: its duration and the QEMU command line it ran. */
    private record ProviderBoot(double millis, List<String> arguments) {
    }

    private QemuBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        BenchReport report = BenchReport.start("QemuBenchmark");
        Runtime.getRuntime().addShutdownHook(new Thread(QemuGuests::killDescendants, "kill-guests"));

        Path root = LocalTools.projectRoot();
        try (WorkDirectory work = WorkDirectory.create("bench-qemu-")) {
            QemuGuests.Image image = QemuGuests.image(root);
            Path stateDir = work.resolve("provider-state");
            QemuVmProvider provider = QemuVmProvider.start(QemuConfig.fromEnvironment(environment(image, stateDir),
                    stateDir));
            try {
                report.line("guest", "%s, %d MiB, %d vCPU, kernel %s, initrd %s", provider.accelerator(),
                        provider.config().memoryMib(), provider.config().vcpus(), image.kernel(), image.initrd());
                compareBoots(report, root, provider, work);
                snapshotAndRestore(report, provider);
            } finally {
                provider.shutdownAll(Duration.ofSeconds(30));
                provider.close();
            }
            operatorMemory(report, image, work);
        } finally {
            int left = QemuGuests.killDescendants();
            if (left > 0) {
                report.line("cleanup", "%d QEMU processes were still running at the end and were killed", left);
            }
        }
        report.finish();
    }

    private static Map<String, String> environment(QemuGuests.Image image, Path stateDir) {
        Map<String, String> env = new HashMap<>();
        env.put(QemuConfig.KERNEL, image.kernel().toString());
        env.put(QemuConfig.INITRD, image.initrd().toString());
        env.put(QemuConfig.ACCEL, "tcg");
        env.put(QemuConfig.MEM_MIB, Integer.toString(MEMORY_MIB));
        env.put(QemuConfig.STATE_DIR, stateDir.toAbsolutePath().toString());
        env.put(QemuConfig.BOOT_TIMEOUT_MS, "120000");
        return env;
    }

    private static void compareBoots(BenchReport report, Path root, QemuVmProvider provider, WorkDirectory work)
            throws Exception {
        // One untimed boot of each warms the page cache and the provider's code, and gives the command line.
        List<String> providerArguments = bootThroughProvider(provider, "boot-warmup").arguments();
        List<String> plainArguments = PlainQemuBoot.arguments(providerArguments, work.resolve("plain-qmp.sock"));
        report.line("provider QEMU command", String.join(" ", providerArguments));
        report.line("plain QEMU command", "scripts/bench.sh plain-boot " + String.join(" ", plainArguments));
        PlainQemuBoot.bootMillis(root, plainArguments);

        double[] providerMillis = new double[BOOTS];
        double[] plainMillis = new double[BOOTS];
        for (int i = 0; i < BOOTS; i++) {
            providerMillis[i] = bootThroughProvider(provider, "boot-" + i).millis();
            plainMillis[i] = PlainQemuBoot.bootMillis(root, plainArguments);
        }

        double providerMedian = LatencySummary.median(providerMillis);
        double plainMedian = LatencySummary.median(plainMillis);
        report.line("boot to ready line, provider startVm", describe(providerMillis));
        report.line("boot to ready line, plain script", describe(plainMillis));
        double ratio = providerMedian / plainMedian;
        report.line("boot ratio provider/plain (medians)", "%.2f (target <= %.2f: %s)", ratio, TARGET_RATIO,
                ratio <= TARGET_RATIO ? "met" : "MISSED");
    }

    private static ProviderBoot bootThroughProvider(QemuVmProvider provider, String vmId) throws Exception {
        provider.createVm(vmId);
        long start = System.nanoTime();
        provider.startVm(vmId);
        double millis = (System.nanoTime() - start) / 1e6;
        long pid = provider.processId(vmId).orElseThrow(() -> new IllegalStateException("vm " + vmId + " has no QEMU"));
        List<String> arguments = QemuGuests.commandLine(pid);
        provider.destroyVm(vmId);
        return new ProviderBoot(millis, arguments);
    }

    private static void snapshotAndRestore(BenchReport report, QemuVmProvider provider) throws Exception {
        String vmId = "snap";
        provider.createVm(vmId);
        provider.startVm(vmId);
        // Lets the guest's /init print a few heartbeats, so the snapshot contains a guest that has run a while.
        Thread.sleep(2000);

        double[] snapshotMillis = new double[SNAPSHOTS];
        List<String> sizes = new ArrayList<>();
        for (int i = 0; i < SNAPSHOTS; i++) {
            String snapshotId = "s" + i;
            long start = System.nanoTime();
            provider.snapshotVm(vmId, snapshotId);
            snapshotMillis[i] = (System.nanoTime() - start) / 1e6;
            SnapshotInfo info = provider.snapshotInfo(vmId, snapshotId).orElseThrow();
            sizes.add(String.format(Locale.ROOT, "%.1f", MemoryProbe.mib(info.sizeBytes())));
        }
        report.line("snapshot of a running " + MEMORY_MIB + " MiB guest", "%s; file sizes %s MiB",
                describe(snapshotMillis), String.join(", ", sizes));

        double[] restoreMillis = new double[SNAPSHOTS];
        for (int i = 0; i < SNAPSHOTS; i++) {
            long start = System.nanoTime();
            provider.restoreVm(vmId, "s0");
            restoreMillis[i] = (System.nanoTime() - start) / 1e6;
        }
        report.line("restore of a running guest from its snapshot", describe(restoreMillis));
        provider.destroyVm(vmId);
    }

    private static void operatorMemory(BenchReport report, QemuGuests.Image image, WorkDirectory work)
            throws Exception {
        Map<String, String> overrides = new HashMap<>(environment(image, work.resolve("operator-state")));
        overrides.put("MICROVM_PROVIDER", "qemu");

        try (BenchChain chain = BenchChain.start("bench-qemu")) {
            LocalDeployment deployment = chain.deployment();
            Operator operator = BenchOperators.start(deployment, work.resolve("operator"), overrides);
            try {
                BenchOperators.awaitReady(operator, Duration.ofSeconds(30));
                JobClient customer = new JobClient(chain.web3j(), deployment.contractAddress(), deployment.owner());

                MemoryProbe.Reading none = MemoryProbe.afterFullGc();
                report.line("operator JVM, no guest", none.toString());
                MemoryProbe.Reading one = null;
                for (int i = 1; i <= GUESTS; i++) {
                    runJob(customer, deployment, JobIndex.CREATE_VM, "guest-" + i);
                    runJob(customer, deployment, JobIndex.START_VM, "guest-" + i);
                    if (i == 1) {
                        one = MemoryProbe.afterFullGc();
                        report.line("operator JVM, 1 running guest", "%s; QEMU processes RSS %.0f MiB (not counted)",
                                one, MemoryProbe.mib(QemuGuests.descendantRssBytes()));
                    }
                }
                MemoryProbe.Reading all = MemoryProbe.afterFullGc();
                report.line("operator JVM, " + GUESTS + " running guests", "%s; QEMU processes RSS %.0f MiB (not counted)",
                        all, MemoryProbe.mib(QemuGuests.descendantRssBytes()));
                report.line("operator memory per further running guest", "heap %.0f KiB, RSS %.0f KiB (from 1 to %d guests)",
                        (all.heapUsedBytes() - one.heapUsedBytes()) / 1024.0 / (GUESTS - 1),
                        (all.rssBytes() - one.rssBytes()) / 1024.0 / (GUESTS - 1), GUESTS);

                for (int i = 1; i <= GUESTS; i++) {
                    runJob(customer, deployment, JobIndex.DESTROY_VM, "guest-" + i);
                }
            } finally {
                operator.close();
            }
        }
    }

    /** Submits one job as the service owner and waits for the operator's result on chain. */
    private static void runJob(JobClient customer, LocalDeployment deployment, int jobIndex, String vmId)
            throws Exception {
        JobClient.Submission submission = customer.submitJob(deployment.serviceId(), jobIndex, JobArguments.encode(vmId));
        Optional<JobResultEvent> result = customer.awaitResult(deployment.serviceId(), submission.callId(),
                submission.blockNumber(), JOB_TIMEOUT);
        if (result.isEmpty()) {
            throw new IllegalStateException("job " + jobIndex + " for vm " + vmId + " (call " + submission.callId()
                    + ") had no result within " + JOB_TIMEOUT.toSeconds() + " s; see the log on standard error");
        }
    }

    /** Formats durations as their median, spread and every value, in milliseconds. */
    private static String describe(double[] millis) {
        double[] sorted = millis.clone();
        Arrays.sort(sorted);
        List<String> values = Arrays.stream(millis).mapToObj(value -> String.format(Locale.ROOT, "%.0f", value)).toList();
        return String.format(Locale.ROOT, "median %.0f ms, min %.0f, max %.0f (runs in order: %s)",
                LatencySummary.median(millis), sorted[0], sorted[sorted.length - 1], String.join(", ", values));
    }
}
