package io.tangle.microvm.jobs;

import java.util.Optional;

/**
 * The arguments of a job call could not be decoded, or decoded to an id that breaks the id rule.
 * The message starts with the job name and says what is wrong with the input.
 */
public final class JobInputException extends RuntimeException {

    private final int jobIndex;
    private final String vmId;

    /**
     * @param vmId the VM id when it was decoded and passed the id rule (the snapshot id may still
     *     be the problem), otherwise {@code null}
     */
    public JobInputException(int jobIndex, String detail, String vmId) {
        super(JobIndex.name(jobIndex) + ": " + detail);
        this.jobIndex = jobIndex;
        this.vmId = vmId;
    }

    public int jobIndex() {
        return jobIndex;
    }

    /** Returns the job name, such as {@code snapshot_vm}. */
    public String jobName() {
        return JobIndex.name(jobIndex);
    }

    /** Returns the VM id when decoding got as far as a valid one. */
    public Optional<String> vmId() {
        return Optional.ofNullable(vmId);
    }
}
