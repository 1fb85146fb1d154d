package io.tangle.microvm.chain;

import java.util.Locale;
import java.util.Optional;

/**
 * Custom errors of the Tangle core contract that this operator reacts to, with their selectors
 * (the first 4 bytes of keccak256 of the signature, which start the revert data).
 */
public enum TangleError {
    JOB_ALREADY_COMPLETED("JobAlreadyCompleted(uint64,uint64)", "0x0a55512f"),
    RESULT_ALREADY_SUBMITTED("ResultAlreadySubmitted(uint64,uint64,address)", "0xb7e7fcee"),
    OPERATOR_NOT_IN_SERVICE("OperatorNotInService(uint64,address)", "0x783482e9"),
    OPERATOR_NOT_ACTIVE("OperatorNotActive(address)", "0xe356d5aa"),
    JOB_CALL_NOT_FOUND("JobCallNotFound(uint64,uint64)", "0x96c6ebfc"),
    NOT_PERMITTED_CALLER("NotPermittedCaller(uint64,address)", "0xd5dd5b44"),
    SERVICE_NOT_ACTIVE("ServiceNotActive(uint64)", "0x4c5fe2d8"),
    INVALID_JOB_INDEX("InvalidJobIndex(uint8)", "0x1370bcad"),
    SCHEMA_VALIDATION_FAILED("SchemaValidationFailed(uint8,uint64,uint64,uint256)", "0x9038fe73"),
    AGGREGATION_REQUIRED("AggregationRequired(uint64,uint8)", "0x77164cdc"),
    BLUEPRINT_NOT_FOUND("BlueprintNotFound(uint64)", "0x5fd248ec"),
    BLUEPRINT_NOT_ACTIVE("BlueprintNotActive(uint64)", "0x421d69da"),
    INVALID_OPERATOR_KEY("InvalidOperatorKey()", "0xda2cd52b"),
    INSUFFICIENT_STAKE("InsufficientStake(address,uint256,uint256)", "0x936d426d");

    private final String signature;
    private final String selector;

    TangleError(String signature, String selector) {
        this.signature = signature;
        this.selector = selector;
    }

    /** Returns the canonical signature, such as {@code JobAlreadyCompleted(uint64,uint64)}. */
    public String signature() {
        return signature;
    }

    /** Returns the error name without parameter types. */
    public String errorName() {
        return signature.substring(0, signature.indexOf('('));
    }

    /** Returns the 4-byte selector as lowercase {@code 0x} hex. */
    public String selector() {
        return selector;
    }

    /** Returns whether this error means the call already has the result it needs, so there is nothing left to send. */
    public boolean meansAlreadyAnswered() {
        return this == JOB_ALREADY_COMPLETED || this == RESULT_ALREADY_SUBMITTED;
    }

    /**
     * Returns the error whose selector starts the given revert data ({@code 0x} hex), or empty when
     * the data is null, shorter than a selector, or starts with a selector not listed here.
     */
    public static Optional<TangleError> fromRevertData(String revertData) {
        String selector = RevertData.selectorOf(revertData);
        if (selector == null) {
            return Optional.empty();
        }
        for (TangleError error : values()) {
            if (error.selector.equals(selector)) {
                return Optional.of(error);
            }
        }
        return Optional.empty();
    }

    @Override
    public String toString() {
        return errorName() + " (" + selector.toLowerCase(Locale.ROOT) + ")";
    }
}
