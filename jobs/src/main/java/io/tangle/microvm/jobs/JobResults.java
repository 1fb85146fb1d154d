package io.tangle.microvm.jobs;

/** Result bodies sent on chain for successful jobs. */
public final class JobResults {

    private static final int WORD_BYTES = 32;

    private JobResults() {
    }

    /**
     * Returns the ABI encoding of {@code bool true}: one 32-byte word whose last byte is 1. Every
     * lifecycle job returns it on success. Each call returns a new array.
     */
    public static byte[] abiTrue() {
        byte[] word = new byte[WORD_BYTES];
        word[WORD_BYTES - 1] = 1;
        return word;
    }
}
