package io.tangle.microvm.jobs;

/**
 * Receives every call that a {@link JobDispatcher} has finished, on the thread that ran it.
 * Calls for one VM arrive in submission order. Calls for different VMs arrive concurrently, so
 * implementations must be thread-safe. An exception thrown here is logged and otherwise ignored.
 */
@FunctionalInterface
public interface JobCompletionListener {

    void onCompleted(JobCall call, JobExecution execution);
}
