package io.tangle.microvm.provider.qemu;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Resolves {@link AcceleratorMode#AUTO}: a KVM device can exist and still fail to run a stock
 * kernel (for example in some nested virtualization setups, where QEMU aborts or the guest
 * crawls), so the probe boots the real guest image under KVM once and uses TCG when that fails.
 */
final class AcceleratorProbe {

    private static final Logger log = LoggerFactory.getLogger(AcceleratorProbe.class);

    /**
     * Bound of the KVM test boot. The guest boots in well under a second with working KVM, so a
     * probe that needs longer falls back to TCG, which still works, only slower.
     */
    static final Duration KVM_PROBE_TIMEOUT = Duration.ofSeconds(5);

    static final String PROBE_ID = ".kvm-probe";
    private static final Path KVM_DEVICE = Path.of("/dev/kvm");

    private AcceleratorProbe() {
    }

    static Accelerator resolve(QemuConfig config, Path binary) throws InterruptedException {
        return switch (config.accelerator()) {
            case TCG -> Accelerator.TCG;
            case KVM -> {
                requireKvmDevice();
                yield Accelerator.KVM;
            }
            case AUTO -> probe(config, binary, new QemuLauncher(config, false));
        };
    }

    private static Accelerator probe(QemuConfig config, Path binary, QemuLauncher launcher) throws InterruptedException {
        if (!Files.isReadable(KVM_DEVICE) || !Files.isWritable(KVM_DEVICE)) {
            log.info("accelerator: using TCG because {} is missing or not accessible", KVM_DEVICE);
            return Accelerator.TCG;
        }

        VmPaths paths = VmPaths.of(config.stateDir(), PROBE_ID);
        Duration timeout = config.bootTimeout().compareTo(KVM_PROBE_TIMEOUT) < 0 ? config.bootTimeout() : KVM_PROBE_TIMEOUT;
        MachineSpec machine = MachineSpec.of(config, binary, Accelerator.KVM);
        try {
            deleteTree(paths.dir());
            Files.createDirectories(paths.dir());
            try (ConsoleLog console = new ConsoleLog(PROBE_ID, paths.consoleLog(), 64 * 1024, 4096)) {
                QemuProcess process = launcher.boot(PROBE_ID, paths, 0, machine, console, timeout);
                process.terminate(config.qmpTimeout(), config.stopTimeout());
            }
            log.info("accelerator: using KVM (test boot succeeded)");
            return Accelerator.KVM;
        } catch (LaunchException e) {
            log.info("accelerator: using TCG because a KVM test boot failed: {}", abbreviate(e.getMessage()));
            return Accelerator.TCG;
        } catch (IOException e) {
            log.info("accelerator: using TCG because the KVM test boot could not be prepared: {}", e.toString());
            return Accelerator.TCG;
        } finally {
            try {
                deleteTree(paths.dir());
            } catch (IOException e) {
                log.warn("cannot remove the KVM probe directory {}: {}", paths.dir(), e.toString());
            }
        }
    }

    private static void requireKvmDevice() {
        if (!Files.isReadable(KVM_DEVICE) || !Files.isWritable(KVM_DEVICE)) {
            throw new QemuStartupException(QemuConfig.ACCEL + " is kvm but " + KVM_DEVICE
                    + " is missing or not readable and writable; set " + QemuConfig.ACCEL + " to auto or tcg");
        }
    }

    private static void deleteTree(Path root) throws IOException {
        List<String> failures = FileTrees.deleteTree(root);
        if (!failures.isEmpty()) {
            throw new IOException("cannot delete " + failures);
        }
    }

    private static String abbreviate(String text) {
        return text.length() <= 400 ? text : text.substring(0, 400) + "...";
    }
}
