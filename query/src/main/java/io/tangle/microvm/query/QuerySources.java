package io.tangle.microvm.query;

import io.tangle.microvm.store.SubmissionRecord;
import java.util.Objects;
import java.util.Optional;

/**
 * The optional sources behind the query API's operator routes: readiness, guest consoles and
 * result submissions. {@link #none()} gives an always-ready operator with no consoles and no
 * submission records.
 */
public record QuerySources(ReadinessProbe readiness, ConsoleSource consoles, SubmissionSource submissions) {

    public QuerySources {
        Objects.requireNonNull(readiness, "readiness");
        Objects.requireNonNull(consoles, "consoles");
        Objects.requireNonNull(submissions, "submissions");
    }

    public static QuerySources none() {
        return new QuerySources(() -> new Readiness(true, "no chain source"), vmId -> Optional.empty(),
                callId -> Optional.empty());
    }

    /** Whether the operator is caught up with the chain, with a short reason either way. */
    public record Readiness(boolean ready, String reason) {
    }

    /** Returns whether the operator is ready to answer new calls promptly. */
    @FunctionalInterface
    public interface ReadinessProbe {
        Readiness check();
    }

    /** Returns the tail of a VM's serial console, or empty when the VM has none. */
    @FunctionalInterface
    public interface ConsoleSource {
        Optional<String> consoleTail(String vmId);
    }

    /** Returns the result submission of a call, or empty when none was recorded. */
    @FunctionalInterface
    public interface SubmissionSource {
        Optional<SubmissionRecord> findSubmission(long callId);
    }
}
