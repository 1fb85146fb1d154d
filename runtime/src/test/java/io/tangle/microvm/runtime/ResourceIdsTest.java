package io.tangle.microvm.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ResourceIdsTest {

    @ParameterizedTest
    @ValueSource(strings = {"a", "7", "vm-1", "my-vm-01", "VM_2", "a-", "a_", "0-0_0"})
    void validIdsAreReturned(String id) {
        assertThat(ResourceIds.requireVmId(id)).isEqualTo(id);
        assertThat(ResourceIds.requireSnapshotId(id)).isEqualTo(id);
    }

    @Test
    void maxLengthIsAccepted() {
        String id = "a".repeat(64);

        assertThat(ResourceIds.requireVmId(id)).isEqualTo(id);
        assertThat(ResourceIds.requireSnapshotId(id)).isEqualTo(id);
    }

    @Test
    void overMaxLengthIsRejected() {
        String id = "a".repeat(65);

        assertThatThrownBy(() -> ResourceIds.requireVmId(id))
                .isInstanceOf(ResourceIds.InvalidIdException.class)
                .hasMessage("vm_id exceeds maximum length of 64 characters (got 65)");
        assertThatThrownBy(() -> ResourceIds.requireSnapshotId(id))
                .isInstanceOf(ResourceIds.InvalidIdException.class)
                .hasMessage("snapshot_id exceeds maximum length of 64 characters (got 65)");
    }

    @Test
    void emptyIsRejected() {
        assertThatThrownBy(() -> ResourceIds.requireVmId(""))
                .isInstanceOf(ResourceIds.InvalidIdException.class)
                .hasMessage("vm_id must not be empty");
        assertThatThrownBy(() -> ResourceIds.requireSnapshotId(""))
                .isInstanceOf(ResourceIds.InvalidIdException.class)
                .hasMessage("snapshot_id must not be empty");
    }

    @Test
    void nullIsRejectedAsEmpty() {
        assertThatThrownBy(() -> ResourceIds.requireVmId(null))
                .isInstanceOf(ResourceIds.InvalidIdException.class)
                .hasMessage("vm_id must not be empty");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "a.b", "../x", "..", ".", "a/b", "a\\b", "-rf", "_x", " vm", "vm ", "vm\u0000x", "vm\nx", "%2e%2e%2f",
        "vm:1", "vm@1", "vm+1",
        // Cyrillic 'а' (U+0430) looks like Latin 'a'.
        "vm-\u0430",
        "\u00e9t\u00e9", "\u2603", "vm-\uD83D\uDE00"
    })
    void badCharactersAreRejectedNamingLabelAndValue(String id) {
        assertThatThrownBy(() -> ResourceIds.requireVmId(id))
                .isInstanceOf(ResourceIds.InvalidIdException.class)
                .hasMessageStartingWith("vm_id '" + id + "' is invalid: ")
                .hasMessageContaining("A-Z, a-z, 0-9, '_' and '-'");
        assertThatThrownBy(() -> ResourceIds.requireSnapshotId(id))
                .isInstanceOf(ResourceIds.InvalidIdException.class)
                .hasMessageStartingWith("snapshot_id '" + id + "' is invalid: ");
    }

    @Test
    void invalidIdIsAnIllegalArgument() {
        assertThatThrownBy(() -> ResourceIds.requireVmId("a.b")).isInstanceOf(IllegalArgumentException.class);
    }
}
