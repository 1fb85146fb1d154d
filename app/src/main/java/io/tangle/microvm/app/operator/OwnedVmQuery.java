package io.tangle.microvm.app.operator;

import io.tangle.microvm.runtime.VmQuery;
import io.tangle.microvm.runtime.VmView;
import io.tangle.microvm.store.SqliteStore;
import io.tangle.microvm.store.VmRecord;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The provider's live view of each VM with the owner from the store added, since providers do not
 * track who created a VM.
 */
final class OwnedVmQuery implements VmQuery {

    private final VmQuery provider;
    private final SqliteStore store;

    OwnedVmQuery(VmQuery provider, SqliteStore store) {
        this.provider = Objects.requireNonNull(provider, "provider");
        this.store = Objects.requireNonNull(store, "store");
    }

    @Override
    public List<VmView> listVms() {
        Map<String, VmRecord> records = store.listVms().stream()
                .collect(Collectors.toMap(VmRecord::vmId, Function.identity()));
        return provider.listVms().stream().map(view -> withOwner(view, records.get(view.vmId()))).toList();
    }

    @Override
    public Optional<VmView> getVm(String vmId) {
        return provider.getVm(vmId).map(view -> withOwner(view, store.findVm(vmId).orElse(null)));
    }

    private static VmView withOwner(VmView view, VmRecord record) {
        if (view.owner() != null || record == null || record.owner() == null) {
            return view;
        }
        return new VmView(view.vmId(), view.status(), view.snapshots(), record.owner(), view.detail());
    }
}
