package io.tangle.microvm.provider.firecracker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tangle.microvm.runtime.VmStatus;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads and writes {@link VmMetadata} as JSON. Writes are atomic: a temporary file in the same
 * directory is written, synced and renamed over the old file, so a crash leaves the old or the
 * new record and never a torn one.
 */
final class MetadataStore {

    /** Version of the file layout. A reader rejects files of other versions. */
    static final int FORMAT = 1;

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private MetadataStore() {
    }

    static void write(Path file, VmMetadata metadata) throws IOException {
        Files.createDirectories(file.getParent());
        Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
        byte[] bytes = JSON.writeValueAsBytes(toJson(metadata));
        try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            channel.write(ByteBuffer.wrap(bytes));
            channel.force(true);
        }
        Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        FileTrees.syncDirectory(file.getParent());
    }

    /**
     * Reads a metadata file.
     *
     * @throws IOException when the file cannot be read or is not a valid record of this format
     */
    static VmMetadata read(Path file) throws IOException {
        JsonNode root = JSON.readTree(file.toFile());
        try {
            int format = root.path("format").asInt(-1);
            if (format != FORMAT) {
                throw new IOException("unsupported metadata format " + format + " in " + file + ", expected " + FORMAT);
            }
            JsonNode process = root.get("process");
            List<SnapshotInfo> snapshots = new ArrayList<>();
            for (JsonNode snapshot : root.path("snapshots")) {
                snapshots.add(snapshotFromJson(snapshot));
            }
            return new VmMetadata(
                    required(root, "vmId").asText(),
                    VmStatus.fromWireName(required(root, "status").asText()),
                    root.hasNonNull("detail") ? root.get("detail").asText() : null,
                    machineFromJson(required(root, "machine")),
                    root.path("lastSlot").asInt(-1),
                    process == null || process.isNull() ? null : processFromJson(process),
                    root.path("restoreInProgress").asBoolean(false),
                    snapshots);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IOException("invalid metadata in " + file + ": " + e.getMessage(), e);
        }
    }

    private static ObjectNode toJson(VmMetadata metadata) {
        ObjectNode root = JSON.createObjectNode();
        root.put("format", FORMAT);
        root.put("vmId", metadata.vmId());
        root.put("status", metadata.status().wireName());
        root.put("detail", metadata.detail());
        root.set("machine", machineToJson(metadata.machine()));
        root.put("lastSlot", metadata.lastSlot());
        root.put("restoreInProgress", metadata.restoreInProgress());

        if (metadata.process() == null) {
            root.putNull("process");
        } else {
            root.set("process", processToJson(metadata.process()));
        }

        ArrayNode snapshots = root.putArray("snapshots");
        for (SnapshotInfo snapshot : metadata.snapshots()) {
            snapshots.add(snapshotToJson(snapshot));
        }
        return root;
    }

    private static ObjectNode processToJson(VmMetadata.ProcessRecord process) {
        ObjectNode node = JSON.createObjectNode();
        node.put("pid", process.pid());
        node.put("startedAt", process.startedAt().toString());
        node.put("slot", process.slot());
        node.put("socket", process.socket().toString());
        return node;
    }

    private static ObjectNode snapshotToJson(SnapshotInfo snapshot) {
        ObjectNode node = JSON.createObjectNode();
        node.put("name", snapshot.name());
        node.put("createdAt", snapshot.createdAt().toString());
        node.set("state", fileToJson(snapshot.state()));
        node.set("memory", fileToJson(snapshot.memory()));
        if (snapshot.disk() == null) {
            node.putNull("disk");
        } else {
            node.set("disk", fileToJson(snapshot.disk()));
        }
        return node;
    }

    private static ObjectNode machineToJson(MachineSpec machine) {
        ObjectNode node = JSON.createObjectNode();
        node.put("vcpuCount", machine.vcpuCount());
        node.put("memSizeMib", machine.memSizeMib());
        node.put("kernel", machine.kernel().toString());
        node.put("bootArgs", machine.bootArgs());
        node.put("rootfs", machine.rootfs().toString());
        node.put("rootfsReadOnly", machine.rootfsReadOnly());
        return node;
    }

    private static ObjectNode fileToJson(SnapshotInfo.SnapshotFile file) {
        ObjectNode node = JSON.createObjectNode();
        node.put("path", file.path().toString());
        node.put("sizeBytes", file.sizeBytes());
        node.put("sha256", file.sha256());
        return node;
    }

    private static MachineSpec machineFromJson(JsonNode node) {
        return new MachineSpec(
                required(node, "vcpuCount").asInt(),
                required(node, "memSizeMib").asInt(),
                Path.of(required(node, "kernel").asText()),
                required(node, "bootArgs").asText(),
                Path.of(required(node, "rootfs").asText()),
                required(node, "rootfsReadOnly").asBoolean());
    }

    private static VmMetadata.ProcessRecord processFromJson(JsonNode node) {
        return new VmMetadata.ProcessRecord(
                required(node, "pid").asLong(),
                Instant.parse(required(node, "startedAt").asText()),
                required(node, "slot").asInt(),
                Path.of(required(node, "socket").asText()));
    }

    private static SnapshotInfo snapshotFromJson(JsonNode node) {
        JsonNode disk = node.get("disk");
        return new SnapshotInfo(
                required(node, "name").asText(),
                Instant.parse(required(node, "createdAt").asText()),
                fileFromJson(required(node, "state")),
                fileFromJson(required(node, "memory")),
                disk == null || disk.isNull() ? null : fileFromJson(disk));
    }

    private static SnapshotInfo.SnapshotFile fileFromJson(JsonNode node) {
        return new SnapshotInfo.SnapshotFile(
                Path.of(required(node, "path").asText()),
                required(node, "sizeBytes").asLong(),
                required(node, "sha256").asText());
    }

    private static JsonNode required(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            throw new IllegalArgumentException("missing field '" + field + "'");
        }
        return value;
    }
}
