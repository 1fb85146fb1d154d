package io.tangle.microvm.app.operator;

import io.tangle.microvm.query.QuerySources;
import io.tangle.microvm.runtime.VmRuntime;
import io.tangle.microvm.jobs.StoreJobJournal.SnapshotDetails;
import java.util.Optional;

/**
 * A started provider with the optional extras that only some providers have.
 *
 * @param consoles the guest console tails, for {@code GET /vms/{id}/console}
 * @param snapshots the stored details of a snapshot (size, files, digest), or empty when the
 *     provider keeps none
 * @param endGuests ends every running guest; a plain {@link VmRuntime#close()} leaves guests
 *     running so that the next start adopts them
 */
public record ProviderHandle(VmRuntime runtime, QuerySources.ConsoleSource consoles, SnapshotDetails snapshots,
        Runnable endGuests) {

    public static ProviderHandle plain(VmRuntime runtime) {
        return new ProviderHandle(runtime, vmId -> Optional.empty(), (vmId, snapshotId) -> Optional.empty(), () -> { });
    }
}
