package io.tangle.microvm.jobs;

import java.util.Optional;

/**
 * Decides, before a call without an outcome is applied, whether to leave it alone, such as a
 * call that the chain already reports completed by another operator.
 */
@FunctionalInterface
public interface CallFilter {

    /** Returns why {@code call} must not be applied, or empty to apply it. */
    Optional<String> skipReason(JobCall call);

    CallFilter NONE = call -> Optional.empty();
}
