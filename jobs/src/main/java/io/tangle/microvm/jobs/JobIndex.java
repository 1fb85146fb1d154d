package io.tangle.microvm.jobs;

import io.tangle.microvm.runtime.VmOperation;
import java.util.Optional;

/**
 * The on-chain job indexes. The order must match the {@code jobs[]} array of the blueprint
 * definition registered on chain: 0 to 4 are the upstream jobs, 5 is our restore job, and every
 * other index (6 to 255) has no job.
 */
public final class JobIndex {

    public static final int CREATE_VM = 0;
    public static final int START_VM = 1;
    public static final int STOP_VM = 2;
    public static final int SNAPSHOT_VM = 3;
    public static final int DESTROY_VM = 4;
    public static final int RESTORE_VM = 5;

    /** The largest index the chain can send: the event field is a {@code uint8}. */
    public static final int MAX = 255;

    private JobIndex() {
    }

    /**
     * Returns the operation of a job index, or empty for an index with no job.
     *
     * @throws IllegalArgumentException when {@code index} is outside 0 to 255
     */
    public static Optional<VmOperation> operation(int index) {
        requireInRange(index);
        return switch (index) {
            case CREATE_VM -> Optional.of(VmOperation.CREATE);
            case START_VM -> Optional.of(VmOperation.START);
            case STOP_VM -> Optional.of(VmOperation.STOP);
            case SNAPSHOT_VM -> Optional.of(VmOperation.SNAPSHOT);
            case DESTROY_VM -> Optional.of(VmOperation.DESTROY);
            case RESTORE_VM -> Optional.of(VmOperation.RESTORE);
            default -> Optional.empty();
        };
    }

    /** Returns the job name of an index, such as {@code create_vm}, or {@code unknown} for an index with no job. */
    public static String name(int index) {
        return operation(index).map(VmOperation::jobName).orElse("unknown");
    }

    /** Returns the index of the job that performs {@code operation}. */
    public static int of(VmOperation operation) {
        return switch (operation) {
            case CREATE -> CREATE_VM;
            case START -> START_VM;
            case STOP -> STOP_VM;
            case SNAPSHOT -> SNAPSHOT_VM;
            case DESTROY -> DESTROY_VM;
            case RESTORE -> RESTORE_VM;
        };
    }

    static int requireInRange(int index) {
        if (index < 0 || index > MAX) {
            throw new IllegalArgumentException("job index " + index + " is out of range: expected 0 to " + MAX);
        }
        return index;
    }
}
