package io.tangle.microvm.runtime;

import java.util.Locale;

/** Lifecycle status of a VM, with the lowercase wire names the upstream blueprint uses. */
public enum VmStatus {
    /** Provisioned, not started. */
    CREATED,
    /** The guest runs. */
    RUNNING,
    /** The guest is stopped; for the QEMU and Firecracker providers this means paused. */
    STOPPED,
    /** Terminal. The record is kept and the id is never reused. */
    DESTROYED;

    private final String wireName = name().toLowerCase(Locale.ROOT);

    /** Returns the lowercase name used in JSON, logs and error messages, such as {@code running}. */
    public String wireName() {
        return wireName;
    }

    /** Parses a wire name such as {@code stopped}. */
    public static VmStatus fromWireName(String value) {
        for (VmStatus status : values()) {
            if (status.wireName.equals(value)) {
                return status;
            }
        }
        throw new IllegalArgumentException("unknown VM status '" + value + "': expected created, running, stopped or destroyed");
    }

    @Override
    public String toString() {
        return wireName;
    }
}
