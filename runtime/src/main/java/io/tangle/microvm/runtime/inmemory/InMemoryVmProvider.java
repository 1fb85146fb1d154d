package io.tangle.microvm.runtime.inmemory;

import io.tangle.microvm.runtime.SnapshotAlreadyExistsException;
import io.tangle.microvm.runtime.SnapshotNotFoundException;
import io.tangle.microvm.runtime.VmOperation;
import io.tangle.microvm.runtime.VmRuntime;
import io.tangle.microvm.runtime.VmStatus;
import io.tangle.microvm.runtime.VmTransitions;
import io.tangle.microvm.runtime.VmView;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The reference provider: the transition table over records in memory, with no backend. Each
 * operation replaces one immutable record atomically, so concurrent operations on one VM never
 * interleave and queries never wait.
 */
public final class InMemoryVmProvider implements VmRuntime {

    public static final String NAME = "in-memory";

    private final ConcurrentMap<String, VmView> vms = new ConcurrentHashMap<>();

    /** Creates a provider with no VMs. */
    public InMemoryVmProvider() {
    }

    /** Creates a provider holding {@code vms}, such as the records a durable store kept across a restart. */
    public InMemoryVmProvider(Collection<VmView> vms) {
        for (VmView vm : vms) {
            this.vms.put(vm.vmId(), vm);
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void createVm(String vmId) {
        vms.compute(vmId, (id, current) -> {
            VmTransitions.next(id, statusOf(current), VmOperation.CREATE);
            return new VmView(id, VmStatus.CREATED, List.of());
        });
    }

    @Override
    public void startVm(String vmId) {
        transition(vmId, VmOperation.START);
    }

    @Override
    public void stopVm(String vmId) {
        transition(vmId, VmOperation.STOP);
    }

    @Override
    public void destroyVm(String vmId) {
        transition(vmId, VmOperation.DESTROY);
    }

    @Override
    public void snapshotVm(String vmId, String snapshotId) {
        vms.compute(vmId, (id, current) -> {
            VmStatus status = VmTransitions.next(id, statusOf(current), VmOperation.SNAPSHOT);
            if (current.snapshots().contains(snapshotId)) {
                throw new SnapshotAlreadyExistsException(id, status, snapshotId);
            }

            List<String> snapshots = new ArrayList<>(current.snapshots());
            snapshots.add(snapshotId);
            return new VmView(id, status, snapshots, current.owner(), current.detail());
        });
    }

    @Override
    public void restoreVm(String vmId, String snapshotId) {
        vms.compute(vmId, (id, current) -> {
            VmStatus next = VmTransitions.next(id, statusOf(current), VmOperation.RESTORE);
            if (!current.snapshots().contains(snapshotId)) {
                throw new SnapshotNotFoundException(id, current.status(), snapshotId);
            }
            return new VmView(id, next, current.snapshots(), current.owner(), null);
        });
    }

    @Override
    public List<VmView> listVms() {
        List<VmView> all = new ArrayList<>(vms.values());
        all.sort(Comparator.comparing(VmView::vmId));
        return all;
    }

    @Override
    public Optional<VmView> getVm(String vmId) {
        return Optional.ofNullable(vms.get(vmId));
    }

    private void transition(String vmId, VmOperation operation) {
        vms.compute(vmId, (id, current) -> {
            VmStatus next = VmTransitions.next(id, statusOf(current), operation);
            return new VmView(id, next, current.snapshots(), current.owner(), current.detail());
        });
    }

    private static VmStatus statusOf(VmView view) {
        return view == null ? null : view.status();
    }
}
