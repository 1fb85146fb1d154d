package io.tangle.microvm.store;

import io.tangle.microvm.runtime.VmStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Test values for store records. */
final class Fixtures {

    static final ServiceKey SERVICE = new ServiceKey(31337, "0x" + "ab".repeat(20), 1);

    /** A time with nanoseconds, so round trips show that no precision is lost. */
    static final Instant T0 = Instant.parse("2026-12-04T10:15:30.123456789Z");

    static final String OWNER = "0x" + "0c".repeat(20);

    private Fixtures() {
    }

    /** Returns a distinct, valid 32-byte hash for each number. */
    static String hash(long n) {
        return String.format("0x%064x", n);
    }

    static ChainPosition position(long block, long logIndex) {
        return new ChainPosition(block, hash(block), logIndex);
    }

    static JobOutcome succeeded(long callId, String job, String vmId) {
        return JobOutcome.succeeded(callId, 0, job, vmId, T0.plusSeconds(callId));
    }

    static JobOutcome failed(long callId, String job, String vmId, String error) {
        return JobOutcome.failed(callId, 1, job, vmId, error, T0.plusSeconds(callId));
    }

    static VmRecord vm(String vmId, VmStatus status, long lastCallId, List<SnapshotRecord> snapshots) {
        return new VmRecord(vmId, OWNER, status, "qemu", "{\"pid\":4242}", T0, T0.plusMillis(lastCallId), lastCallId, snapshots);
    }

    static VmRecord vm(String vmId, VmStatus status, long lastCallId) {
        return vm(vmId, status, lastCallId, List.of());
    }

    static SnapshotRecord fileSnapshot(String name, int fileCount) {
        List<String> files = new ArrayList<>();
        for (int i = 0; i < fileCount; i++) {
            files.add("/var/lib/microvm/snapshots/" + name + "/part-" + i);
        }
        return new SnapshotRecord(name, T0.plusSeconds(60), 1_048_576L * (fileCount + 1), files, "sha256:" + name);
    }
}
