package io.tangle.microvm.store;

import static io.tangle.microvm.store.Fixtures.T0;
import static io.tangle.microvm.store.Fixtures.fileSnapshot;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tangle.microvm.runtime.VmStatus;
import java.util.List;
import org.junit.jupiter.api.Test;

class RecordsTest {

    @Test
    void serviceKeyLowercasesAddress() {
        ServiceKey key = new ServiceKey(1, "0x" + "AbCd".repeat(10), 3);

        assertThat(key.contractAddress()).isEqualTo("0x" + "abcd".repeat(10));
        assertThat(key.directoryName()).isEqualTo("1-0x" + "abcd".repeat(10) + "-3");
    }

    @Test
    void serviceKeyRejectsShortAddress() {
        assertThatThrownBy(() -> new ServiceKey(1, "0x1234", 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("contractAddress is not a 0x-prefixed 20-byte hex address: '0x1234'");
    }

    @Test
    void serviceKeyRejectsNegativeServiceId() {
        assertThatThrownBy(() -> new ServiceKey(1, "0x" + "00".repeat(20), -1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("serviceId < 0: -1");
    }

    @Test
    void positionRejectsShortHash() {
        assertThatThrownBy(() -> new ChainPosition(1, "0xabc", 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("blockHash is not a 0x-prefixed 32-byte hex hash: '0xabc'");
    }

    @Test
    void cursorLowercasesHash() {
        ChainCursor cursor = new ChainCursor(1, "0x" + "AB".repeat(32), 0);

        assertThat(cursor.blockHash()).isEqualTo("0x" + "ab".repeat(32));
    }

    @Test
    void vmRecordRejectsDuplicateSnapshotNames() {
        List<SnapshotRecord> snapshots = List.of(fileSnapshot("snap", 1), SnapshotRecord.inMemory("snap", T0));

        assertThatThrownBy(() -> new VmRecord("vm-1", null, VmStatus.STOPPED, "qemu", null, T0, T0, 1L, snapshots))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("duplicate snapshot name 'snap' in VM vm-1");
    }

    @Test
    void snapshotRejectsNegativeSize() {
        assertThatThrownBy(() -> new SnapshotRecord("snap", T0, -1L, List.of(), null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("sizeBytes < 0: -1 for snapshot 'snap'");
    }

    @Test
    void failedSubmissionNeedsError() {
        assertThatThrownBy(() -> new SubmissionRecord(3, SubmissionRecord.Status.FAILED, null, 1, null, T0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("a FAILED submission needs an error: call 3");
    }

    @Test
    void submittedSubmissionNeedsTxHash() {
        assertThatThrownBy(() -> new SubmissionRecord(3, SubmissionRecord.Status.SUBMITTED, null, 1, null, T0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("a SUBMITTED submission needs a txHash: call 3");
    }
}
