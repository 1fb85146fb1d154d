package io.tangle.microvm.store;

import io.tangle.microvm.runtime.VmStatus;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * SQL for VM records and their snapshots. A read takes two queries, one for VMs and one for
 * snapshots with their files, whatever the number of VMs.
 */
final class VmTable {

    private static final String UPSERT_VM = """
            INSERT INTO vms (vm_id, owner, status, provider, provider_handle, created_at, updated_at, last_call_id)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (vm_id) DO UPDATE SET
                owner = excluded.owner,
                status = excluded.status,
                provider = excluded.provider,
                provider_handle = excluded.provider_handle,
                created_at = excluded.created_at,
                updated_at = excluded.updated_at,
                last_call_id = excluded.last_call_id""";

    // Deleting cascades to snapshot_files.
    private static final String DELETE_SNAPSHOTS = "DELETE FROM snapshots WHERE vm_id = ?";

    private static final String INSERT_SNAPSHOT =
            "INSERT INTO snapshots (vm_id, name, ordinal, created_at, size_bytes, digest) VALUES (?, ?, ?, ?, ?, ?)";

    private static final String INSERT_FILE =
            "INSERT INTO snapshot_files (vm_id, snapshot_name, ordinal, path) VALUES (?, ?, ?, ?)";

    private static final String SELECT_VMS =
            "SELECT vm_id, owner, status, provider, provider_handle, created_at, updated_at, last_call_id FROM vms";

    private static final String SELECT_SNAPSHOTS = """
            SELECT s.vm_id, s.name, s.created_at, s.size_bytes, s.digest, f.path
            FROM snapshots s
            LEFT JOIN snapshot_files f ON f.vm_id = s.vm_id AND f.snapshot_name = s.name""";

    private static final String SNAPSHOT_ORDER = " ORDER BY s.vm_id, s.ordinal, f.ordinal";

    private static final String LIST_VMS = SELECT_VMS + " ORDER BY vm_id";
    private static final String FIND_VM = SELECT_VMS + " WHERE vm_id = ?";
    private static final String LIST_SNAPSHOTS = SELECT_SNAPSHOTS + SNAPSHOT_ORDER;
    private static final String FIND_SNAPSHOTS = SELECT_SNAPSHOTS + " WHERE s.vm_id = ?" + SNAPSHOT_ORDER;

    private VmTable() {
    }

    /** Inserts or replaces the VM row and replaces its snapshots. Runs inside the caller's transaction. */
    static void upsert(SerialConnection connection, VmRecord vm) throws SQLException {
        PreparedStatement upsert = connection.statement(UPSERT_VM);
        upsert.setString(1, vm.vmId());
        upsert.setString(2, vm.owner());
        upsert.setString(3, vm.status().wireName());
        upsert.setString(4, vm.provider());
        upsert.setString(5, vm.providerHandle());
        upsert.setString(6, vm.createdAt().toString());
        upsert.setString(7, vm.updatedAt().toString());
        Columns.setNullableLong(upsert, 8, vm.lastCallId());
        upsert.executeUpdate();

        PreparedStatement delete = connection.statement(DELETE_SNAPSHOTS);
        delete.setString(1, vm.vmId());
        delete.executeUpdate();

        if (!vm.snapshots().isEmpty()) {
            insertSnapshots(connection, vm);
        }
    }

    private static void insertSnapshots(SerialConnection connection, VmRecord vm) throws SQLException {
        PreparedStatement snapshots = connection.statement(INSERT_SNAPSHOT);
        PreparedStatement files = connection.statement(INSERT_FILE);
        int fileCount = 0;
        for (int ordinal = 0; ordinal < vm.snapshots().size(); ordinal++) {
            SnapshotRecord snapshot = vm.snapshots().get(ordinal);
            snapshots.setString(1, vm.vmId());
            snapshots.setString(2, snapshot.name());
            snapshots.setInt(3, ordinal);
            snapshots.setString(4, snapshot.createdAt().toString());
            Columns.setNullableLong(snapshots, 5, snapshot.sizeBytes());
            snapshots.setString(6, snapshot.digest());
            snapshots.addBatch();
            for (int fileOrdinal = 0; fileOrdinal < snapshot.files().size(); fileOrdinal++) {
                files.setString(1, vm.vmId());
                files.setString(2, snapshot.name());
                files.setInt(3, fileOrdinal);
                files.setString(4, snapshot.files().get(fileOrdinal));
                files.addBatch();
                fileCount++;
            }
        }

        // Snapshots first: the file rows reference them.
        snapshots.executeBatch();
        if (fileCount > 0) {
            files.executeBatch();
        }
    }

    /** Reads every VM, sorted by id. Run inside a read transaction so both queries see one state. */
    static List<VmRecord> list(SerialConnection connection) throws SQLException {
        Map<String, List<SnapshotRecord>> snapshots;
        try (ResultSet rows = connection.statement(LIST_SNAPSHOTS).executeQuery()) {
            snapshots = readSnapshots(rows);
        }

        List<VmRecord> vms = new ArrayList<>();
        try (ResultSet rows = connection.statement(LIST_VMS).executeQuery()) {
            while (rows.next()) {
                vms.add(readVm(rows, snapshots));
            }
        }
        return vms;
    }

    /** Reads one VM. Run inside a read transaction so both queries see one state. */
    static Optional<VmRecord> find(SerialConnection connection, String vmId) throws SQLException {
        PreparedStatement findSnapshots = connection.statement(FIND_SNAPSHOTS);
        findSnapshots.setString(1, vmId);
        Map<String, List<SnapshotRecord>> snapshots;
        try (ResultSet rows = findSnapshots.executeQuery()) {
            snapshots = readSnapshots(rows);
        }

        PreparedStatement findVm = connection.statement(FIND_VM);
        findVm.setString(1, vmId);
        try (ResultSet rows = findVm.executeQuery()) {
            return rows.next() ? Optional.of(readVm(rows, snapshots)) : Optional.empty();
        }
    }

    private static VmRecord readVm(ResultSet rows, Map<String, List<SnapshotRecord>> snapshots) throws SQLException {
        String vmId = rows.getString("vm_id");
        return new VmRecord(
                vmId,
                rows.getString("owner"),
                VmStatus.fromWireName(rows.getString("status")),
                rows.getString("provider"),
                rows.getString("provider_handle"),
                Instant.parse(rows.getString("created_at")),
                Instant.parse(rows.getString("updated_at")),
                Columns.nullableLong(rows, "last_call_id"),
                snapshots.getOrDefault(vmId, List.of()));
    }

    /**
     * Groups snapshot rows by VM. The rows come sorted by VM, snapshot order and file order, with
     * one row per file, or one row with a NULL path for a snapshot without files.
     */
    private static Map<String, List<SnapshotRecord>> readSnapshots(ResultSet rows) throws SQLException {
        Map<String, List<SnapshotRecord>> byVm = new HashMap<>();
        SnapshotRows current = null;
        while (rows.next()) {
            String vmId = rows.getString("vm_id");
            String name = rows.getString("name");
            if (current == null || !current.vmId.equals(vmId) || !current.name.equals(name)) {
                finish(current, byVm);
                current = new SnapshotRows(vmId, name, Instant.parse(rows.getString("created_at")),
                        Columns.nullableLong(rows, "size_bytes"), rows.getString("digest"));
            }
            String path = rows.getString("path");
            if (path != null) {
                current.files.add(path);
            }
        }
        finish(current, byVm);
        return byVm;
    }

    private static void finish(SnapshotRows rows, Map<String, List<SnapshotRecord>> byVm) {
        if (rows != null) {
            SnapshotRecord snapshot = new SnapshotRecord(rows.name, rows.createdAt, rows.sizeBytes, rows.files, rows.digest);
            byVm.computeIfAbsent(rows.vmId, id -> new ArrayList<>()).add(snapshot);
        }
    }

    /** The columns of one snapshot while its file rows are being read. */
    private static final class SnapshotRows {
        final String vmId;
        final String name;
        final Instant createdAt;
        final Long sizeBytes;
        final String digest;
        final List<String> files = new ArrayList<>();

        SnapshotRows(String vmId, String name, Instant createdAt, Long sizeBytes, String digest) {
            this.vmId = vmId;
            this.name = name;
            this.createdAt = createdAt;
            this.sizeBytes = sizeBytes;
            this.digest = digest;
        }
    }
}
