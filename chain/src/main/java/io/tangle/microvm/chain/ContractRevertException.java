package io.tangle.microvm.chain;

import java.util.Objects;
import java.util.Optional;

/** A contract call or transaction that the contract reverted, with the revert data that gives the reason. */
public final class ContractRevertException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String function;
    private final transient RevertData revertData;

    public ContractRevertException(String function, RevertData revertData, Throwable cause) {
        super(function + " reverted with " + revertData.describe() + ", data " + revertData.hex(), cause);
        this.function = Objects.requireNonNull(function, "function");
        this.revertData = revertData;
    }

    /** Returns the name of the contract function that reverted. */
    public String function() {
        return function;
    }

    public RevertData revertData() {
        return revertData;
    }

    /** Returns the Tangle error the contract raised, when this module recognizes it. */
    public Optional<TangleError> tangleError() {
        return revertData.tangleError();
    }
}
