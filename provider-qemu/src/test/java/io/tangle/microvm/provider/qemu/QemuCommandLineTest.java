package io.tangle.microvm.provider.qemu;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class QemuCommandLineTest {

    private static final MachineSpec TCG = new MachineSpec(Path.of("/usr/bin/qemu-system-x86_64"), Accelerator.TCG, 1,
            256, Path.of("/img/vmlinuz"), Path.of("/img/initrd.img"), "console=ttyS0 panic=-1");

    @Test
    void bootArgumentsUseMicrovmWithoutDefaults() {
        VmPaths paths = VmPaths.of(Path.of("/s"), "vm-a");

        List<String> args = QemuCommandLine.build("vm-a", TCG, paths.sockets(0), Optional.empty());

        assertThat(args.get(0)).isEqualTo("/usr/bin/qemu-system-x86_64");
        assertThat(args).containsSubsequence("-machine", "microvm");
        assertThat(args).containsSubsequence("-accel", "tcg");
        assertThat(args).contains("-nodefaults", "-no-user-config", "-no-reboot", "-S");
        assertThat(args).containsSubsequence("-display", "none");
        assertThat(args).containsSubsequence("-m", "256M");
        Path socketDir = QemuSocketDir.pathFor(Path.of("/s"));
        assertThat(args).containsSubsequence("-qmp", "unix:" + socketDir + "/vm-a.0.qmp,server=on,wait=off");
        assertThat(args).containsSubsequence("-chardev",
                "socket,id=console,path=" + socketDir + "/vm-a.0.con,server=on,wait=off");
        assertThat(args).containsSubsequence("-serial", "chardev:console");
        assertThat(args).doesNotContain("-incoming", "-cpu");
    }

    @Test
    void kvmAddsHostCpu() {
        MachineSpec kvm = new MachineSpec(TCG.binary(), Accelerator.KVM, 2, 256, TCG.kernel(), TCG.initrd(), "x");

        List<String> args = QemuCommandLine.build("vm-a", kvm, VmPaths.of(Path.of("/s"), "vm-a").sockets(1),
                Optional.empty());

        assertThat(args).containsSubsequence("-accel", "kvm", "-cpu", "host");
        assertThat(args).containsSubsequence("-smp", "2");
    }

    @Test
    void incomingReadsSnapshotThroughQuotedCat() {
        List<String> args = QemuCommandLine.build("vm-a", TCG, VmPaths.of(Path.of("/s"), "vm-a").sockets(0),
                Optional.of(Path.of("/s/vm-a/snapshots/it's.vmstate")));

        assertThat(args).containsSubsequence("-incoming", "exec:cat '/s/vm-a/snapshots/it'\\''s.vmstate'");
    }

    @Test
    void qmpSocketRoundTripsThroughCommaEscaping() {
        Path socket = Path.of("/state,dir/vm-a/qmp1.sock");
        VmPaths.LaunchSockets sockets = new VmPaths.LaunchSockets(socket, Path.of("/state,dir/vm-a/con1.sock"));

        List<String> args = QemuCommandLine.build("vm-a", TCG, sockets, Optional.empty());

        assertThat(args).contains("unix:/state,,dir/vm-a/qmp1.sock,server=on,wait=off");
        assertThat(QemuCommandLine.qmpSocketOf(args)).contains(socket);
    }

    @Test
    void nonQemuCommandIsNotRecognised() {
        assertThat(QemuCommandLine.isQemu(List.of("/usr/bin/qemu-system-x86_64", "-S"))).isTrue();
        assertThat(QemuCommandLine.isQemu(List.of("/bin/cat", "-qmp", "unix:/s/x"))).isFalse();
        assertThat(QemuCommandLine.qmpSocketOf(List.of("qemu-system-x86_64", "-S"))).isEmpty();
    }
}
