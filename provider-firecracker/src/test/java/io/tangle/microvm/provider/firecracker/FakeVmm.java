package io.tangle.microvm.provider.firecracker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The state machine of the fake Firecracker, with the rules the real one enforces according to
 * the Firecracker v1.16.1 API definition:
 * <ul>
 *   <li>machine, boot source and drives only before {@code InstanceStart};
 *   <li>{@code InstanceStart} once, and only with a boot source;
 *   <li>pause, resume and {@code SendCtrlAltDel} only after it;
 *   <li>{@code snapshot/create} only while paused;
 *   <li>{@code snapshot/load} only on a fresh process, which exits when the load fails.
 * </ul>
 * Files named in requests must exist, because Firecracker opens them. Requests reach it already
 * validated against the definition.
 */
final class FakeVmm {

    /** The instance states of {@code GET /}. */
    enum State {
        NOT_STARTED("Not started"),
        RUNNING("Running"),
        PAUSED("Paused");

        final String apiName;

        State(String apiName) {
            this.apiName = apiName;
        }
    }

    /**
     * What to send back.
     *
     * @param status the HTTP status
     * @param body the JSON body, or {@code null} for none
     * @param exitAfterReply whether the process exits once the reply is sent
     * @param hang whether to never reply
     */
    record Reply(int status, String body, boolean exitAfterReply, boolean hang) {

        static Reply noContent() {
            return new Reply(204, null, false, false);
        }

        static Reply ok(JsonNode body) {
            return new Reply(200, body.toString(), false, false);
        }

        static Reply badRequest(String faultMessage) {
            return new Reply(400, JSON.createObjectNode().put("fault_message", faultMessage).toString(), false, false);
        }

        Reply thenExit() {
            return new Reply(status, body, true, hang);
        }
    }

    /** Marks the files the fake writes as snapshots, so a load of anything else fails. */
    static final String SNAPSHOT_MAGIC = "fake-firecracker-snapshot-v1";
    /** Size of the fake guest memory file. */
    static final int MEMORY_FILE_BYTES = 64 * 1024;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final FakeFaults faults;
    private State state = State.NOT_STARTED;
    private JsonNode machineConfig;
    private JsonNode bootSource;
    private final Map<String, JsonNode> drives = new LinkedHashMap<>();
    private boolean snapshotLoaded;

    FakeVmm(FakeFaults faults) {
        this.faults = faults;
    }

    /** Returns the step name of a request for the fault hooks, or {@code null} when it has none. */
    static String stepOf(String method, String path, JsonNode body) {
        String key = method + " " + path;
        if (key.equals("GET /")) {
            return "describe";
        }
        if (key.equals("PUT /machine-config")) {
            return "machine-config";
        }
        if (key.equals("PUT /boot-source")) {
            return "boot-source";
        }
        if (method.equals("PUT") && path.startsWith("/drives/")) {
            return "drive";
        }
        if (key.equals("PUT /snapshot/create")) {
            return "snapshot-create";
        }
        if (key.equals("PUT /snapshot/load")) {
            return "snapshot-load";
        }
        if (key.equals("PUT /actions")) {
            return switch (body.path("action_type").asText()) {
                case "InstanceStart" -> "instance-start";
                case "SendCtrlAltDel" -> "ctrl-alt-del";
                default -> null;
            };
        }
        if (key.equals("PATCH /vm")) {
            return "Paused".equals(body.path("state").asText()) ? "pause" : "resume";
        }
        return null;
    }

    /** Handles a request that matches the API definition. */
    Reply handle(String method, String path, JsonNode body) throws IOException {
        String step = stepOf(method, path, body);
        if (step != null && faults.hangSteps().contains(step)) {
            return new Reply(0, null, false, true);
        }
        if (step != null && faults.failSteps().contains(step)) {
            if (step.equals("snapshot-create")) {
                writePartialSnapshot(body);
            }
            return Reply.badRequest("injected failure of step " + step);
        }

        return switch (step == null ? method + " " + path : step) {
            case "describe" -> describe();
            case "machine-config" -> preBoot(() -> machineConfig = body);
            case "boot-source" -> bootSource(body);
            case "drive" -> drive(path, body);
            case "instance-start" -> instanceStart();
            case "ctrl-alt-del" -> ctrlAltDel();
            case "pause" -> setState(State.PAUSED);
            case "resume" -> setState(State.RUNNING);
            case "snapshot-create" -> createSnapshot(body);
            case "snapshot-load" -> loadSnapshot(body);
            default -> Reply.badRequest("the fake Firecracker does not implement " + method + " " + path);
        };
    }

    private Reply describe() {
        ObjectNode info = JSON.createObjectNode()
                .put("app_name", "Firecracker")
                .put("id", "anonymous-instance")
                .put("state", state.apiName)
                .put("vmm_version", "1.16.1");
        return Reply.ok(info);
    }

    private Reply preBoot(Runnable change) {
        Reply rejection = preBootRejection();
        if (rejection != null) {
            return rejection;
        }
        change.run();
        return Reply.noContent();
    }

    /** Returns the reply of Firecracker to a pre-boot request after the start or a load, or {@code null} before. */
    private Reply preBootRejection() {
        if (state != State.NOT_STARTED) {
            return Reply.badRequest("The requested operation is not supported after starting the microVM.");
        }
        if (snapshotLoaded) {
            return Reply.badRequest("The requested operation is not supported after loading a snapshot.");
        }
        return null;
    }

    private Reply bootSource(JsonNode body) {
        Reply rejection = preBootRejection();
        if (rejection != null) {
            return rejection;
        }
        Path kernel = Path.of(body.path("kernel_image_path").asText());
        if (!Files.isRegularFile(kernel)) {
            return Reply.badRequest("The kernel file cannot be opened: No such file or directory (" + kernel + ")");
        }
        bootSource = body;
        return Reply.noContent();
    }

    private Reply drive(String path, JsonNode body) {
        Reply rejection = preBootRejection();
        if (rejection != null) {
            return rejection;
        }
        String id = path.substring("/drives/".length());
        if (!id.equals(body.path("drive_id").asText())) {
            return Reply.badRequest("The id from the path [" + id + "] does not match the id from the body ["
                    + body.path("drive_id").asText() + "]!");
        }
        Path backing = Path.of(body.path("path_on_host").asText());
        if (!Files.isRegularFile(backing)) {
            return Reply.badRequest("Unable to create the block device: cannot open " + backing);
        }
        drives.put(id, body);
        return Reply.noContent();
    }

    private Reply instanceStart() {
        if (state != State.NOT_STARTED || snapshotLoaded) {
            return Reply.badRequest("The requested operation is not supported after starting the microVM.");
        }
        if (bootSource == null) {
            return Reply.badRequest("Cannot start microvm without kernel configuration.");
        }
        state = State.RUNNING;
        return Reply.noContent();
    }

    private Reply ctrlAltDel() {
        if (state == State.NOT_STARTED) {
            return Reply.badRequest("The requested operation is not supported before starting the microVM.");
        }
        return faults.exitOnCtrlAltDel() ? Reply.noContent().thenExit() : Reply.noContent();
    }

    private Reply setState(State target) {
        if (state == State.NOT_STARTED) {
            return Reply.badRequest("The requested operation is not supported before starting the microVM.");
        }
        state = target;
        return Reply.noContent();
    }

    private Reply createSnapshot(JsonNode body) throws IOException {
        if (state == State.NOT_STARTED) {
            return Reply.badRequest("The requested operation is not supported before starting the microVM.");
        }
        if (state != State.PAUSED) {
            return Reply.badRequest("Create snapshot error: Cannot save the microVM state: the microVM is not paused.");
        }
        Path statePath = Path.of(body.path("snapshot_path").asText());
        Path memoryPath = Path.of(body.path("mem_file_path").asText());
        if (!Files.isDirectory(statePath.getParent()) || !Files.isDirectory(memoryPath.getParent())) {
            return Reply.badRequest("Create snapshot error: cannot open the snapshot files: No such file or directory");
        }

        ObjectNode saved = JSON.createObjectNode().put("magic", SNAPSHOT_MAGIC);
        saved.set("machine_config", machineConfig);
        saved.set("boot_source", bootSource);
        saved.set("drives", JSON.valueToTree(drives));
        Files.writeString(statePath, saved.toString(), StandardCharsets.UTF_8);
        Files.write(memoryPath, memoryBytes());
        return Reply.noContent();
    }

    private Reply loadSnapshot(JsonNode body) throws IOException {
        if (state != State.NOT_STARTED || snapshotLoaded || machineConfig != null || bootSource != null
                || !drives.isEmpty()) {
            return Reply.badRequest("Loading a microVM snapshot not allowed after configuring boot-specific resources.");
        }
        Path statePath = Path.of(body.path("snapshot_path").asText());
        Path memoryPath = Path.of(body.path("mem_backend").path("backend_path").asText());

        // Firecracker exits when a load fails, because the half-built VM cannot be used.
        if (!Files.isRegularFile(statePath) || !Files.isRegularFile(memoryPath)) {
            return Reply.badRequest("Load snapshot error: cannot open the snapshot or memory file").thenExit();
        }
        JsonNode saved = JSON.readTree(Files.readString(statePath, StandardCharsets.UTF_8));
        if (!SNAPSHOT_MAGIC.equals(saved.path("magic").asText())) {
            return Reply.badRequest("Load snapshot error: invalid snapshot file " + statePath).thenExit();
        }
        for (JsonNode drive : saved.path("drives")) {
            Path backing = Path.of(drive.path("path_on_host").asText());
            if (!Files.isRegularFile(backing)) {
                return Reply.badRequest("Load snapshot error: cannot open the block device " + backing).thenExit();
            }
        }

        snapshotLoaded = true;
        machineConfig = saved.get("machine_config");
        state = body.path("resume_vm").asBoolean(false) ? State.RUNNING : State.PAUSED;
        return Reply.noContent();
    }

    /** Writes half-finished snapshot files, as a snapshot that fails midway leaves them. */
    private static void writePartialSnapshot(JsonNode body) throws IOException {
        Path statePath = Path.of(body.path("snapshot_path").asText());
        Path memoryPath = Path.of(body.path("mem_file_path").asText());
        if (Files.isDirectory(statePath.getParent())) {
            Files.writeString(statePath, "{\"magic\":\"" + SNAPSHOT_MAGIC, StandardCharsets.UTF_8);
        }
        if (Files.isDirectory(memoryPath.getParent())) {
            Files.write(memoryPath, Arrays.copyOf(memoryBytes(), MEMORY_FILE_BYTES / 2));
        }
    }

    private static byte[] memoryBytes() {
        byte[] bytes = new byte[MEMORY_FILE_BYTES];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) (i * 31 + 7);
        }
        return bytes;
    }
}
