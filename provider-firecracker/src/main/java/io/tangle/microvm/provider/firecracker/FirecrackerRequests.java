package io.tangle.microvm.provider.firecracker;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;

/**
 * Every Firecracker API call the provider makes, with bodies as the Firecracker v1.16.1 API
 * definition specifies them. The fake Firecracker of the tests checks each against that
 * definition.
 */
final class FirecrackerRequests {

    /** The drive id of the root drive, also its path segment in {@code PUT /drives/{drive_id}}. */
    static final String ROOT_DRIVE_ID = "rootfs";

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private FirecrackerRequests() {
    }

    /** {@code GET /}: the instance information, whose {@code state} is Not started, Running or Paused. */
    static ApiCall describeInstance() {
        return new ApiCall("GET", "/", null);
    }

    /**
     * {@code PUT /machine-config}. SMT stays off. Dirty page tracking is on, as in the upstream
     * adapter, so diff snapshots stay possible.
     */
    static ApiCall machineConfig(MachineSpec machine) {
        ObjectNode body = NODES.objectNode()
                .put("vcpu_count", machine.vcpuCount())
                .put("mem_size_mib", machine.memSizeMib())
                .put("smt", false)
                .put("track_dirty_pages", true);
        return new ApiCall("PUT", "/machine-config", body);
    }

    static ApiCall bootSource(MachineSpec machine) {
        ObjectNode body = NODES.objectNode()
                .put("kernel_image_path", machine.kernel().toString())
                .put("boot_args", machine.bootArgs());
        return new ApiCall("PUT", "/boot-source", body);
    }

    static ApiCall rootDrive(MachineSpec machine) {
        ObjectNode body = NODES.objectNode()
                .put("drive_id", ROOT_DRIVE_ID)
                .put("path_on_host", machine.rootfs().toString())
                .put("is_root_device", true)
                .put("is_read_only", machine.rootfsReadOnly());
        return new ApiCall("PUT", "/drives/" + ROOT_DRIVE_ID, body);
    }

    /** {@code PUT /actions} with {@code InstanceStart}: boots the guest. Accepted once per process. */
    static ApiCall instanceStart() {
        return action("InstanceStart");
    }

    /** {@code PUT /actions} with {@code SendCtrlAltDel}: requests a guest shutdown (x86 only). */
    static ApiCall sendCtrlAltDel() {
        return action("SendCtrlAltDel");
    }

    static ApiCall pause() {
        return new ApiCall("PATCH", "/vm", NODES.objectNode().put("state", "Paused"));
    }

    static ApiCall resume() {
        return new ApiCall("PATCH", "/vm", NODES.objectNode().put("state", "Resumed"));
    }

    /** {@code PUT /snapshot/create}: a Full snapshot of a paused VM into two files. */
    static ApiCall createSnapshot(Path statePath, Path memoryPath) {
        ObjectNode body = NODES.objectNode()
                .put("snapshot_type", "Full")
                .put("snapshot_path", statePath.toString())
                .put("mem_file_path", memoryPath.toString());
        return new ApiCall("PUT", "/snapshot/create", body);
    }

    /**
     * {@code PUT /snapshot/load} on a fresh process, with the memory file as {@code File} backend
     * (the {@code mem_file_path} field is deprecated), resuming the VM once it is loaded.
     */
    static ApiCall loadSnapshot(Path statePath, Path memoryPath) {
        ObjectNode body = NODES.objectNode().put("snapshot_path", statePath.toString());
        body.putObject("mem_backend")
                .put("backend_type", "File")
                .put("backend_path", memoryPath.toString());
        body.put("resume_vm", true);
        return new ApiCall("PUT", "/snapshot/load", body);
    }

    private static ApiCall action(String type) {
        return new ApiCall("PUT", "/actions", NODES.objectNode().put("action_type", type));
    }
}
