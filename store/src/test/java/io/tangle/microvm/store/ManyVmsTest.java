package io.tangle.microvm.store;

import static io.tangle.microvm.store.Fixtures.SERVICE;
import static io.tangle.microvm.store.Fixtures.fileSnapshot;
import static io.tangle.microvm.store.Fixtures.vm;
import static org.assertj.core.api.Assertions.assertThat;

import io.tangle.microvm.runtime.VmStatus;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ManyVmsTest {

    static final int VM_COUNT = 10_000;

    @TempDir
    Path dataDir;

    @Test
    void tenThousandVmsListCompletely() {
        List<VmRecord> vms = new ArrayList<>();
        for (int i = 0; i < VM_COUNT; i++) {
            vms.add(vm("vm-" + i, VmStatus.values()[i % 4], i, snapshotsFor(i)));
        }
        // Insert in random order, so sorting is the store's work.
        Collections.shuffle(vms, new Random(42));

        try (SqliteStore store = SqliteStore.open(dataDir, SERVICE)) {
            store.saveVms(vms);

            List<VmRecord> listed = store.listVms();

            List<VmRecord> expected = new ArrayList<>(vms);
            expected.sort(Comparator.comparing(VmRecord::vmId));
            assertThat(listed).hasSize(VM_COUNT);
            assertThat(listed).isEqualTo(expected);
        }
    }

    /** Returns no snapshot for every third VM, and one or two snapshots with up to two files for the others. */
    private static List<SnapshotRecord> snapshotsFor(int i) {
        return switch (i % 3) {
            case 0 -> List.of();
            case 1 -> List.of(fileSnapshot("only", 1));
            default -> List.of(fileSnapshot("first", 2), SnapshotRecord.inMemory("second", Fixtures.T0));
        };
    }
}
