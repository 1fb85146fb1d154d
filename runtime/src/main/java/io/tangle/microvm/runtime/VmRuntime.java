package io.tangle.microvm.runtime;

/** A complete VM backend: lifecycle operations plus queries over the same state. */
public interface VmRuntime extends VmProvider, VmQuery, AutoCloseable {

    /** Returns the provider name as configured with {@code MICROVM_PROVIDER}, such as {@code in-memory}. */
    String name();

    /** Releases the resources the provider keeps open. The default keeps none. */
    @Override
    default void close() {
    }
}
