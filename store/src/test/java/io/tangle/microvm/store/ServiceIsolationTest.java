package io.tangle.microvm.store;

import static io.tangle.microvm.store.Fixtures.SERVICE;
import static io.tangle.microvm.store.Fixtures.position;
import static io.tangle.microvm.store.Fixtures.succeeded;
import static io.tangle.microvm.store.Fixtures.vm;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tangle.microvm.runtime.VmStatus;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServiceIsolationTest {

    static final ServiceKey OTHER_SERVICE = new ServiceKey(SERVICE.chainId(), SERVICE.contractAddress(), 2);

    @TempDir
    Path dataDir;

    @Test
    void servicesInOneDataDirAreIndependent() {
        try (SqliteStore first = SqliteStore.open(dataDir, SERVICE);
                SqliteStore second = SqliteStore.open(dataDir, OTHER_SERVICE)) {
            first.commitJob(succeeded(1, "create_vm", "vm-1"), position(10, 0), vm("vm-1", VmStatus.CREATED, 1));
            second.commitJob(succeeded(2, "create_vm", "vm-2"), position(10, 1), vm("vm-2", VmStatus.CREATED, 2));

            assertThat(first.databaseFile()).isNotEqualTo(second.databaseFile());
            assertThat(first.listVms()).extracting(VmRecord::vmId).containsExactly("vm-1");
            assertThat(second.listVms()).extracting(VmRecord::vmId).containsExactly("vm-2");
            assertThat(first.find(2)).isEmpty();
            assertThat(second.find(1)).isEmpty();
        }
    }

    @Test
    void callIdsArePerService() {
        try (SqliteStore first = SqliteStore.open(dataDir, SERVICE);
                SqliteStore second = SqliteStore.open(dataDir, OTHER_SERVICE)) {
            first.commitJob(succeeded(7, "create_vm", "vm-a"), position(10, 0), null);

            boolean stored = second.commitJob(succeeded(7, "create_vm", "vm-b"), position(10, 1), null);

            assertThat(stored).isTrue();
            assertThat(second.find(7)).map(JobOutcome::vmId).contains("vm-b");
        }
    }

    @Test
    void checksummedAddressSharesDirectory() {
        ServiceKey mixedCase = new ServiceKey(SERVICE.chainId(), "0x" + "Ab".repeat(20), SERVICE.serviceId());

        assertThat(mixedCase).isEqualTo(SERVICE);
    }

    @Test
    void secondOpenInProcessIsRejected() {
        try (SqliteStore store = SqliteStore.open(dataDir, SERVICE)) {
            assertThatThrownBy(() -> SqliteStore.open(dataDir, SERVICE))
                    .isInstanceOf(StoreException.class)
                    .hasMessageContaining("this process already has the store open")
                    .hasMessageContaining(store.databaseFile().getParent().toString());

            assertThat(store.outcomeCount()).isZero();
        }
    }

    @Test
    void closedStoreCanReopen() {
        SqliteStore.open(dataDir, SERVICE).close();

        try (SqliteStore reopened = SqliteStore.open(dataDir, SERVICE)) {
            assertThat(reopened.schemaVersion()).isEqualTo(SchemaMigrations.LATEST);
        }
    }
}
