package io.tangle.microvm.jobs;

import io.tangle.microvm.runtime.VmQuery;
import io.tangle.microvm.runtime.VmView;
import io.tangle.microvm.store.ChainPosition;
import io.tangle.microvm.store.JobOutcome;
import io.tangle.microvm.store.SnapshotRecord;
import io.tangle.microvm.store.SqliteStore;
import io.tangle.microvm.store.VmRecord;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * A journal in the durable store. Each commit writes the call's outcome and the VM's state as the
 * provider reports it after the call, in one transaction, so a restart reads either both
 * or neither.
 */
public final class StoreJobJournal implements JobJournal {

    /** Stands in for the block hash of calls whose source did not report one. */
    private static final String UNKNOWN_BLOCK_HASH = "0x" + "0".repeat(64);

    /** Returns what a provider records of one snapshot (size, files, digest), or empty when it keeps nothing. */
    @FunctionalInterface
    public interface SnapshotDetails {
        Optional<SnapshotRecord> find(String vmId, String snapshotId);
    }

    private final SqliteStore store;
    private final VmQuery vms;
    private final String providerName;
    private final SnapshotDetails snapshotDetails;

    public StoreJobJournal(SqliteStore store, VmQuery vms, String providerName) {
        this(store, vms, providerName, (vmId, snapshotId) -> Optional.empty());
    }

    public StoreJobJournal(SqliteStore store, VmQuery vms, String providerName, SnapshotDetails snapshotDetails) {
        this.store = Objects.requireNonNull(store, "store");
        this.vms = Objects.requireNonNull(vms, "vms");
        this.providerName = Objects.requireNonNull(providerName, "providerName");
        this.snapshotDetails = Objects.requireNonNull(snapshotDetails, "snapshotDetails");
    }

    @Override
    public Optional<JobOutcome> find(long callId) {
        return store.find(callId);
    }

    @Override
    public Optional<String> owner(String vmId) {
        return store.findVm(vmId).map(VmRecord::owner);
    }

    @Override
    public Optional<String> callDigest(long callId) {
        return store.findCallDigest(callId);
    }

    @Override
    public boolean replace(long callId, String reason) {
        return store.replace(callId, reason);
    }

    @Override
    public void commit(JobCall call, JobOutcome outcome) {
        String hash = call.blockHash() == null ? UNKNOWN_BLOCK_HASH : call.blockHash();
        ChainPosition position = new ChainPosition(call.blockNumber(), hash, call.logIndex());

        VmRecord after = null;
        if (outcome.status() == JobOutcome.Status.SUCCEEDED && outcome.vmId() != null) {
            after = vms.getVm(outcome.vmId()).map(view -> record(call, outcome, view)).orElse(null);
        }
        store.commitJob(outcome, position, after, CallDigest.of(call));
    }

    private VmRecord record(JobCall call, JobOutcome outcome, VmView view) {
        Optional<VmRecord> previous = store.findVm(view.vmId());
        Instant now = outcome.recordedAt();

        String owner = previous.map(VmRecord::owner)
                .orElse(call.jobIndex() == JobIndex.CREATE_VM ? call.caller() : null);
        Instant createdAt = previous.map(VmRecord::createdAt).orElse(now);

        Map<String, SnapshotRecord> known = previous.map(VmRecord::snapshots).orElse(List.of()).stream()
                .collect(Collectors.toMap(SnapshotRecord::name, Function.identity()));
        List<SnapshotRecord> snapshots = new ArrayList<>();
        for (String name : view.snapshots()) {
            SnapshotRecord snapshot = known.get(name);
            if (snapshot == null) {
                snapshot = snapshotDetails.find(view.vmId(), name)
                        .orElseGet(() -> new SnapshotRecord(name, now, null, List.of(), null));
            }
            snapshots.add(snapshot);
        }

        return new VmRecord(view.vmId(), owner, view.status(), providerName, null, createdAt, now, call.callId(),
                snapshots);
    }
}
