package io.tangle.microvm.store;

import io.tangle.microvm.runtime.VmStatus;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Child process for the hard-kill tests: commits jobs until it is killed, and prints
 * {@code committed <callId>} after each commit has returned.
 *
 * <p>Every call writes VM {@code vm-<callId % 10>} with {@code lastCallId = callId} and one more
 * snapshot than before (up to five), so a lost VM write shows next to a kept outcome.
 */
public final class CommitLoop {

    static final int VM_COUNT = 10;

    private CommitLoop() {
    }

    public static void main(String[] args) {
        Path dataDir = Path.of(args[0]);
        long maxCalls = Long.parseLong(args[1]);

        try (SqliteStore store = SqliteStore.open(dataDir, Fixtures.SERVICE)) {
            System.out.println("opened");
            System.out.flush();
            for (long callId = 1; callId <= maxCalls; callId++) {
                String vmId = "vm-" + (callId % VM_COUNT);
                store.commitJob(Fixtures.succeeded(callId, "snapshot_vm", vmId), Fixtures.position(callId / 4, callId % 4),
                        Fixtures.vm(vmId, VmStatus.STOPPED, callId, snapshots(callId)));
                System.out.println("committed " + callId);
                System.out.flush();
            }
        }
    }

    private static List<SnapshotRecord> snapshots(long callId) {
        List<SnapshotRecord> snapshots = new ArrayList<>();
        long count = Math.min(5, callId / VM_COUNT + 1);
        for (long i = 0; i < count; i++) {
            snapshots.add(Fixtures.fileSnapshot("snap-" + i, 2));
        }
        return snapshots;
    }
}
