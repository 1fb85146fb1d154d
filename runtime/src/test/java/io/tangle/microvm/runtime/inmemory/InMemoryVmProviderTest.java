package io.tangle.microvm.runtime.inmemory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.tangle.microvm.runtime.InvalidTransitionException;
import io.tangle.microvm.runtime.SnapshotAlreadyExistsException;
import io.tangle.microvm.runtime.SnapshotNotFoundException;
import io.tangle.microvm.runtime.VmAlreadyExistsException;
import io.tangle.microvm.runtime.VmNotFoundException;
import io.tangle.microvm.runtime.VmOperation;
import io.tangle.microvm.runtime.VmStatus;
import io.tangle.microvm.runtime.VmView;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The upstream in-memory provider tests (the one kept upstream plus the fifteen dropped when the
 * runtime crate was extracted), and restore.
 */
class InMemoryVmProviderTest {

    private final InMemoryVmProvider provider = new InMemoryVmProvider();

    @Test
    void fullLifecycle() {
        provider.createVm("vm-1");
        provider.startVm("vm-1");
        provider.snapshotVm("vm-1", "snap-1");
        provider.stopVm("vm-1");
        provider.destroyVm("vm-1");

        assertThat(provider.getVm("vm-1")).contains(new VmView("vm-1", VmStatus.DESTROYED, List.of("snap-1")));
    }

    @Test
    void createDuplicateErrors() {
        provider.createVm("vm-1");

        VmAlreadyExistsException error = catchThrowableOfType(VmAlreadyExistsException.class,
                () -> provider.createVm("vm-1"));

        assertThat(error).hasMessage("vm 'vm-1' already exists");
        assertThat(error.status()).contains(VmStatus.CREATED);
    }

    @Test
    void createOfDestroyedIdErrors() {
        provider.createVm("vm-1");
        provider.destroyVm("vm-1");

        VmAlreadyExistsException error = catchThrowableOfType(VmAlreadyExistsException.class,
                () -> provider.createVm("vm-1"));

        assertThat(error).hasMessage("vm 'vm-1' already exists");
        assertThat(error.status()).contains(VmStatus.DESTROYED);
    }

    @Test
    void startNonexistentErrors() {
        VmNotFoundException error = catchThrowableOfType(VmNotFoundException.class, () -> provider.startVm("ghost"));

        assertThat(error).hasMessage("vm 'ghost' not found");
        assertThat(error.vmId()).isEqualTo("ghost");
        assertThat(error.status()).isEmpty();
        assertThat(error.operation()).isEqualTo(VmOperation.START);
    }

    @Test
    void invalidTransitionErrors() {
        provider.createVm("vm-1");

        InvalidTransitionException error = catchThrowableOfType(InvalidTransitionException.class,
                () -> provider.stopVm("vm-1"));

        assertThat(error).hasMessage("invalid vm transition for 'vm-1': created -> stopped");
        assertThat(provider.getVm("vm-1").map(VmView::status)).contains(VmStatus.CREATED);
    }

    @Test
    void listVmsSorted() {
        provider.createVm("c");
        provider.createVm("a");
        provider.createVm("b");

        assertThat(provider.listVms()).extracting(VmView::vmId).containsExactly("a", "b", "c");
    }

    @Test
    void listVmsIncludesDestroyed() {
        provider.createVm("b");
        provider.createVm("a");
        provider.destroyVm("a");

        assertThat(provider.listVms()).containsExactly(
                new VmView("a", VmStatus.DESTROYED, List.of()),
                new VmView("b", VmStatus.CREATED, List.of()));
    }

    @Test
    void listVmsEmpty() {
        assertThat(provider.listVms()).isEmpty();
    }

    @Test
    void snapshotDuplicateErrors() {
        provider.createVm("vm-1");
        provider.snapshotVm("vm-1", "snap-1");

        SnapshotAlreadyExistsException error = catchThrowableOfType(SnapshotAlreadyExistsException.class,
                () -> provider.snapshotVm("vm-1", "snap-1"));

        assertThat(error).hasMessage("snapshot 'snap-1' already exists for vm 'vm-1'");
        assertThat(error.snapshotId()).isEqualTo("snap-1");
        assertThat(error.vmId()).isEqualTo("vm-1");
        assertThat(error.status()).contains(VmStatus.CREATED);
        assertThat(error.operation()).isEqualTo(VmOperation.SNAPSHOT);
        assertThat(provider.listSnapshots("vm-1")).contains(List.of("snap-1"));
    }

    @Test
    void snapshotNamesAreCaseSensitive() {
        provider.createVm("vm-1");
        provider.snapshotVm("vm-1", "snap");
        provider.snapshotVm("vm-1", "SNAP");

        assertThat(provider.listSnapshots("vm-1")).contains(List.of("snap", "SNAP"));
    }

    @Test
    void sameSnapshotNameOnTwoVms() {
        provider.createVm("vm-1");
        provider.createVm("vm-2");
        provider.snapshotVm("vm-1", "snap-1");
        provider.snapshotVm("vm-2", "snap-1");

        assertThat(provider.listSnapshots("vm-2")).contains(List.of("snap-1"));
    }

    @Test
    void destroyIdempotencyGuard() {
        provider.createVm("vm-1");
        provider.destroyVm("vm-1");

        InvalidTransitionException error = catchThrowableOfType(InvalidTransitionException.class,
                () -> provider.destroyVm("vm-1"));

        assertThat(error).hasMessage("invalid vm transition for 'vm-1': destroyed -> destroyed");
    }

    @Test
    void startRunningVmErrors() {
        provider.createVm("vm-1");
        provider.startVm("vm-1");

        InvalidTransitionException error = catchThrowableOfType(InvalidTransitionException.class,
                () -> provider.startVm("vm-1"));

        assertThat(error).hasMessage("invalid vm transition for 'vm-1': running -> running");
        assertThat(error.status()).contains(VmStatus.RUNNING);
        assertThat(error.operation()).isEqualTo(VmOperation.START);
    }

    @Test
    void destroyRunningVmSucceeds() {
        provider.createVm("vm-1");
        provider.startVm("vm-1");

        provider.destroyVm("vm-1");

        assertThat(provider.getVm("vm-1").map(VmView::status)).contains(VmStatus.DESTROYED);
    }

    @Test
    void snapshotCreatedVmSucceeds() {
        provider.createVm("vm-1");

        provider.snapshotVm("vm-1", "snap-1");

        assertThat(provider.getVm("vm-1")).contains(new VmView("vm-1", VmStatus.CREATED, List.of("snap-1")));
    }

    @Test
    void snapshotDestroyedVmErrors() {
        provider.createVm("vm-1");
        provider.snapshotVm("vm-1", "snap-1");
        provider.destroyVm("vm-1");

        // The destroyed check comes before the duplicate-name check.
        InvalidTransitionException error = catchThrowableOfType(InvalidTransitionException.class,
                () -> provider.snapshotVm("vm-1", "snap-1"));

        assertThat(error).hasMessage("invalid vm transition for 'vm-1': destroyed -> snapshot");
        assertThat(provider.listSnapshots("vm-1")).contains(List.of("snap-1"));
    }

    @Test
    void snapshotNonexistentVmErrors() {
        VmNotFoundException error = catchThrowableOfType(VmNotFoundException.class,
                () -> provider.snapshotVm("ghost", "snap-1"));

        assertThat(error).hasMessage("vm 'ghost' not found");
        assertThat(error.operation()).isEqualTo(VmOperation.SNAPSHOT);
    }

    @Test
    void getNonexistentVmReturnsEmpty() {
        assertThat(provider.getVm("ghost")).isEmpty();
    }

    @Test
    void listSnapshotsNonexistentVmReturnsEmpty() {
        assertThat(provider.listSnapshots("ghost")).isEmpty();
    }

    @Test
    void listSnapshotsOfVmWithoutSnapshots() {
        provider.createVm("vm-1");

        assertThat(provider.listSnapshots("vm-1")).contains(List.of());
    }

    @Test
    void restartCycle() {
        provider.createVm("vm-1");
        provider.startVm("vm-1");
        provider.stopVm("vm-1");
        provider.startVm("vm-1");

        assertThat(provider.getVm("vm-1").map(VmView::status)).contains(VmStatus.RUNNING);
    }

    @Test
    void multipleSnapshotsKeepCreationOrder() {
        provider.createVm("vm-1");
        provider.snapshotVm("vm-1", "snap-b");
        provider.snapshotVm("vm-1", "snap-a");
        provider.snapshotVm("vm-1", "snap-c");

        assertThat(provider.listSnapshots("vm-1")).contains(List.of("snap-b", "snap-a", "snap-c"));
    }

    @Test
    void snapshotStoppedVmSucceeds() {
        provider.createVm("vm-1");
        provider.startVm("vm-1");
        provider.stopVm("vm-1");

        provider.snapshotVm("vm-1", "snap-1");

        assertThat(provider.getVm("vm-1")).contains(new VmView("vm-1", VmStatus.STOPPED, List.of("snap-1")));
    }

    @Test
    void vmStatusDisplayIsLowercase() {
        assertThat(VmStatus.CREATED).hasToString("created");
        assertThat(VmStatus.RUNNING).hasToString("running");
        assertThat(VmStatus.STOPPED).hasToString("stopped");
        assertThat(VmStatus.DESTROYED).hasToString("destroyed");
    }

    @ParameterizedTest
    @EnumSource(value = VmStatus.class, names = {"CREATED", "RUNNING", "STOPPED"})
    void restoreFromLiveStatusRuns(VmStatus from) {
        provider.createVm("vm-1");
        provider.snapshotVm("vm-1", "snap-1");
        moveTo("vm-1", from);

        provider.restoreVm("vm-1", "snap-1");

        assertThat(provider.getVm("vm-1")).contains(new VmView("vm-1", VmStatus.RUNNING, List.of("snap-1")));
    }

    @Test
    void restoreDestroyedVmErrors() {
        provider.createVm("vm-1");
        provider.snapshotVm("vm-1", "snap-1");
        provider.destroyVm("vm-1");

        InvalidTransitionException error = catchThrowableOfType(InvalidTransitionException.class,
                () -> provider.restoreVm("vm-1", "snap-1"));

        assertThat(error).hasMessage("invalid vm transition for 'vm-1': destroyed -> running");
        assertThat(error.operation()).isEqualTo(VmOperation.RESTORE);
        assertThat(provider.getVm("vm-1").map(VmView::status)).contains(VmStatus.DESTROYED);
    }

    @ParameterizedTest
    @EnumSource(value = VmStatus.class, names = {"CREATED", "RUNNING", "STOPPED"})
    void restoreUnknownSnapshotErrors(VmStatus from) {
        provider.createVm("vm-1");
        provider.snapshotVm("vm-1", "snap-1");
        moveTo("vm-1", from);

        SnapshotNotFoundException error = catchThrowableOfType(SnapshotNotFoundException.class,
                () -> provider.restoreVm("vm-1", "snap-2"));

        assertThat(error).hasMessage("snapshot 'snap-2' not found for vm 'vm-1'");
        assertThat(error.snapshotId()).isEqualTo("snap-2");
        assertThat(error.vmId()).isEqualTo("vm-1");
        assertThat(error.status()).contains(from);
        assertThat(error.operation()).isEqualTo(VmOperation.RESTORE);
        assertThat(provider.getVm("vm-1").map(VmView::status)).contains(from);
    }

    @Test
    void restoreSnapshotOfOtherVmErrors() {
        provider.createVm("vm-1");
        provider.createVm("vm-2");
        provider.snapshotVm("vm-2", "snap-1");

        SnapshotNotFoundException error = catchThrowableOfType(SnapshotNotFoundException.class,
                () -> provider.restoreVm("vm-1", "snap-1"));

        assertThat(error).hasMessage("snapshot 'snap-1' not found for vm 'vm-1'");
    }

    @Test
    void restoreNonexistentVmErrors() {
        VmNotFoundException error = catchThrowableOfType(VmNotFoundException.class,
                () -> provider.restoreVm("ghost", "snap-1"));

        assertThat(error).hasMessage("vm 'ghost' not found");
        assertThat(error.operation()).isEqualTo(VmOperation.RESTORE);
    }

    @Test
    void failedOperationKeepsPreviousState() {
        provider.createVm("vm-1");
        provider.startVm("vm-1");
        provider.snapshotVm("vm-1", "snap-1");
        Optional<VmView> before = provider.getVm("vm-1");

        catchThrowableOfType(InvalidTransitionException.class, () -> provider.startVm("vm-1"));
        catchThrowableOfType(SnapshotAlreadyExistsException.class, () -> provider.snapshotVm("vm-1", "snap-1"));
        catchThrowableOfType(SnapshotNotFoundException.class, () -> provider.restoreVm("vm-1", "snap-9"));

        assertThat(provider.getVm("vm-1")).isEqualTo(before);
    }

    @Test
    void nameIsInMemory() {
        assertThat(provider.name()).isEqualTo("in-memory");
    }

    private void moveTo(String vmId, VmStatus status) {
        switch (status) {
            case CREATED -> {
            }
            case RUNNING -> provider.startVm(vmId);
            case STOPPED -> {
                provider.startVm(vmId);
                provider.stopVm(vmId);
            }
            case DESTROYED -> provider.destroyVm(vmId);
        }
    }
}
