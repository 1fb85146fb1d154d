package io.tangle.microvm.provider.qemu;

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
import java.util.Locale;

/**
 * Reads and writes {@link VmMetadata} as JSON. Writes are atomic: a temporary file in the same
 * directory is written, synced and renamed over the old file, so a crash leaves the old or the
 * new record and never a torn one.
 */
final class MetadataStore {

    /** Version of the file layout; a reader rejects files of other versions. */
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
        SnapshotWriter.syncDirectory(file.getParent());
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
                    root.path("lastSlot").asInt(-1),
                    process == null || process.isNull() ? null : processFromJson(process),
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
        root.put("lastSlot", metadata.lastSlot());
        if (metadata.process() == null) {
            root.putNull("process");
        } else {
            VmMetadata.ProcessRecord process = metadata.process();
            ObjectNode node = root.putObject("process");
            node.put("pid", process.pid());
            node.put("startedAt", process.startedAt().toString());
            node.put("slot", process.slot());
            node.put("qmpSocket", process.qmpSocket().toString());
            node.put("consoleSocket", process.consoleSocket().toString());
            node.set("machine", machineToJson(process.machine()));
        }
        ArrayNode snapshots = root.putArray("snapshots");
        for (SnapshotInfo snapshot : metadata.snapshots()) {
            ObjectNode node = snapshots.addObject();
            node.put("name", snapshot.name());
            node.put("createdAt", snapshot.createdAt().toString());
            node.put("sizeBytes", snapshot.sizeBytes());
            node.put("file", snapshot.file().toString());
            node.put("sha256", snapshot.sha256());
            node.set("machine", machineToJson(snapshot.machine()));
        }
        return root;
    }

    private static ObjectNode machineToJson(MachineSpec machine) {
        ObjectNode node = JSON.createObjectNode();
        node.put("binary", machine.binary().toString());
        node.put("accelerator", machine.accelerator().qemuName());
        node.put("vcpus", machine.vcpus());
        node.put("memoryMib", machine.memoryMib());
        node.put("kernel", machine.kernel().toString());
        node.put("initrd", machine.initrd().toString());
        node.put("kernelCommandLine", machine.kernelCommandLine());
        return node;
    }

    private static VmMetadata.ProcessRecord processFromJson(JsonNode node) {
        return new VmMetadata.ProcessRecord(
                required(node, "pid").asLong(),
                Instant.parse(required(node, "startedAt").asText()),
                required(node, "slot").asInt(),
                Path.of(required(node, "qmpSocket").asText()),
                Path.of(required(node, "consoleSocket").asText()),
                machineFromJson(required(node, "machine")));
    }

    private static SnapshotInfo snapshotFromJson(JsonNode node) {
        return new SnapshotInfo(
                required(node, "name").asText(),
                Instant.parse(required(node, "createdAt").asText()),
                required(node, "sizeBytes").asLong(),
                Path.of(required(node, "file").asText()),
                required(node, "sha256").asText(),
                machineFromJson(required(node, "machine")));
    }

    private static MachineSpec machineFromJson(JsonNode node) {
        return new MachineSpec(
                Path.of(required(node, "binary").asText()),
                Accelerator.valueOf(required(node, "accelerator").asText().toUpperCase(Locale.ROOT)),
                required(node, "vcpus").asInt(),
                required(node, "memoryMib").asInt(),
                Path.of(required(node, "kernel").asText()),
                Path.of(required(node, "initrd").asText()),
                required(node, "kernelCommandLine").asText());
    }

    private static JsonNode required(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            throw new IllegalArgumentException("missing field '" + field + "'");
        }
        return value;
    }
}
