package io.tangle.microvm.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import org.junit.jupiter.api.Test;

/** Each error type carries the VM id, the status at the time and the operation. */
class VmRuntimeExceptionTest {

    @Test
    void alreadyExistsCarriesContext() {
        VmRuntimeException error = new VmAlreadyExistsException("vm-1", VmStatus.STOPPED);

        assertThat(error.vmId()).isEqualTo("vm-1");
        assertThat(error.status()).contains(VmStatus.STOPPED);
        assertThat(error.operation()).isEqualTo(VmOperation.CREATE);
    }

    @Test
    void notFoundHasNoStatus() {
        VmRuntimeException error = new VmNotFoundException("vm-1", VmOperation.STOP);

        assertThat(error.vmId()).isEqualTo("vm-1");
        assertThat(error.status()).isEmpty();
        assertThat(error.operation()).isEqualTo(VmOperation.STOP);
    }

    @Test
    void invalidTransitionCarriesContext() {
        VmRuntimeException error = new InvalidTransitionException("vm-1", VmStatus.CREATED, VmOperation.STOP);

        assertThat(error.vmId()).isEqualTo("vm-1");
        assertThat(error.status()).contains(VmStatus.CREATED);
        assertThat(error.operation()).isEqualTo(VmOperation.STOP);
    }

    @Test
    void snapshotErrorsCarryContext() {
        SnapshotAlreadyExistsException exists = new SnapshotAlreadyExistsException("vm-1", VmStatus.RUNNING, "s1");
        SnapshotNotFoundException missing = new SnapshotNotFoundException("vm-2", VmStatus.STOPPED, "s2");

        assertThat(exists.vmId()).isEqualTo("vm-1");
        assertThat(exists.status()).contains(VmStatus.RUNNING);
        assertThat(exists.operation()).isEqualTo(VmOperation.SNAPSHOT);
        assertThat(missing.vmId()).isEqualTo("vm-2");
        assertThat(missing.status()).contains(VmStatus.STOPPED);
        assertThat(missing.operation()).isEqualTo(VmOperation.RESTORE);
    }

    @Test
    void providerErrorCarriesContextAndCause() {
        IOException cause = new IOException("socket closed");
        VmProviderException error = new VmProviderException("starting vm-1: boot timed out", "vm-1",
                VmStatus.CREATED, VmOperation.START, cause);

        assertThat(error).hasMessage("starting vm-1: boot timed out");
        assertThat(error.vmId()).isEqualTo("vm-1");
        assertThat(error.status()).contains(VmStatus.CREATED);
        assertThat(error.operation()).isEqualTo(VmOperation.START);
        assertThat(error).hasCause(cause);
    }
}
