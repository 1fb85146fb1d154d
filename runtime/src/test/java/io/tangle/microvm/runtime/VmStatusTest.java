package io.tangle.microvm.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class VmStatusTest {

    @ParameterizedTest
    @EnumSource(VmStatus.class)
    void wireNameRoundTrips(VmStatus status) {
        assertThat(VmStatus.fromWireName(status.wireName())).isEqualTo(status);
    }

    @Test
    void unknownWireNameIsRejected() {
        assertThatThrownBy(() -> VmStatus.fromWireName("Running"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'Running'");
    }

    @Test
    void operationsKeepUpstreamJobNames() {
        assertThat(VmOperation.values()).extracting(VmOperation::jobName)
                .containsExactly("create_vm", "start_vm", "stop_vm", "snapshot_vm", "destroy_vm", "restore_vm");
    }
}
