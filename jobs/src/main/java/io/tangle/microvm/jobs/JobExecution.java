package io.tangle.microvm.jobs;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/** The result of running one job call. */
public sealed interface JobExecution {

    /** The job did what it asked; {@code result} is the body to send on chain. */
    record Succeeded(byte[] result) implements JobExecution {

        public Succeeded {
            result = Objects.requireNonNull(result, "result").clone();
        }

        /** Returns a copy of the result body. */
        @Override
        public byte[] result() {
            return result.clone();
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Succeeded that && Arrays.equals(result, that.result);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(result);
        }

        @Override
        public String toString() {
            return "Succeeded[result=0x" + HexFormat.of().formatHex(result) + "]";
        }
    }

    /** The job failed, and {@code error} is the reason in the provider's or the decoder's words. */
    record Failed(String error) implements JobExecution {

        public Failed {
            Objects.requireNonNull(error, "error");
        }
    }

    /**
     * Nothing was done and nothing was recorded: the call's job index has no job, or the runner
     * left the call alone (see {@link JobRunner#run}).
     */
    record Ignored() implements JobExecution {
    }
}
