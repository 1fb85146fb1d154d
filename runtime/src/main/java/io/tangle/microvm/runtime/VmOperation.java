package io.tangle.microvm.runtime;

/**
 * A lifecycle operation. The target name is the literal that the upstream blueprint puts on the
 * right of an invalid transition message, such as {@code created -> stopped}.
 */
public enum VmOperation {
    CREATE("create_vm", "created"),
    START("start_vm", "running"),
    STOP("stop_vm", "stopped"),
    SNAPSHOT("snapshot_vm", "snapshot"),
    DESTROY("destroy_vm", "destroyed"),
    RESTORE("restore_vm", "running");

    private final String jobName;
    private final String targetName;

    VmOperation(String jobName, String targetName) {
        this.jobName = jobName;
        this.targetName = targetName;
    }

    /** Returns the job name, such as {@code start_vm}. */
    public String jobName() {
        return jobName;
    }

    /** Returns the target literal used in invalid transition messages, such as {@code running}. */
    public String targetName() {
        return targetName;
    }
}
