package io.tangle.microvm.jobs;

import io.tangle.microvm.runtime.ResourceIds;
import io.tangle.microvm.runtime.ResourceIds.InvalidIdException;
import io.tangle.microvm.runtime.VmOperation;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Turns a call's job index and raw input bytes into a {@link Job}, with the upstream extractor's
 * rules for which encodings to try and in which order.
 *
 * <p>Create, start, stop and destroy take {@code (string vm_id)}. Snapshot and restore take
 * {@code (string vm_id, string snapshot_id)}. The input is first classified: it "looks like ABI"
 * when it is at least 64 bytes long and its first word is {@code 0x20}. Then:
 * <ol>
 *   <li>ABI-looking input: outer-offset ABI, then flat ABI, then compact;
 *   <li>any other input: compact, then outer-offset ABI, then flat ABI.
 * </ol>
 * The first layout that decodes wins. The compact form contains one string only, so it never
 * decodes for the two-string jobs. The decoded ids are then checked with {@link ResourceIds},
 * which is stricter than upstream's non-empty, at most 256 bytes.
 */
public final class JobInputDecoder {

    /**
     * Largest input accepted, in bytes. Two ids of at most 64 characters need at most 256 bytes in
     * any layout, so this only bounds the work spent on hostile input.
     */
    public static final int MAX_INPUT_BYTES = 16 * 1024;

    private static final int ABI_MIN_LENGTH = 64;

    private JobInputDecoder() {
    }

    /**
     * Decodes the arguments of the job at {@code jobIndex}.
     *
     * @return the job, or empty when the index has no job (6 to 255)
     * @throws JobInputException when the input is oversized, malformed in every layout, or names
     *     an invalid id
     * @throws IllegalArgumentException when {@code jobIndex} is outside 0 to 255
     */
    public static Optional<Job> decode(int jobIndex, byte[] inputs) {
        Objects.requireNonNull(inputs, "inputs");
        Optional<VmOperation> operation = JobIndex.operation(jobIndex);
        if (operation.isEmpty()) {
            return Optional.empty();
        }

        if (inputs.length > MAX_INPUT_BYTES) {
            throw new JobInputException(jobIndex, "the input is " + inputs.length + " bytes, over the limit of "
                    + MAX_INPUT_BYTES + " bytes", null);
        }

        int arity = takesSnapshotId(operation.get()) ? 2 : 1;
        List<String> arguments = decodeStrings(jobIndex, arity, inputs);
        return Optional.of(toJob(jobIndex, operation.get(), arguments));
    }

    private static boolean takesSnapshotId(VmOperation operation) {
        return operation == VmOperation.SNAPSHOT || operation == VmOperation.RESTORE;
    }

    private static List<String> decodeStrings(int jobIndex, int arity, byte[] inputs) {
        StringBuilder failures = new StringBuilder();
        if (looksLikeAbi(inputs)) {
            Optional<List<String>> decoded = tryOuter(inputs, arity, failures);
            if (decoded.isEmpty()) {
                decoded = tryFlat(inputs, arity, failures);
            }
            if (decoded.isEmpty()) {
                decoded = tryCompact(jobIndex, inputs, arity, failures);
            }
            return decoded.orElseThrow(() -> undecodable(jobIndex, arity, inputs, failures));
        }

        Optional<List<String>> decoded = tryCompact(jobIndex, inputs, arity, failures);
        if (decoded.isEmpty()) {
            decoded = tryOuter(inputs, arity, failures);
        }
        if (decoded.isEmpty()) {
            decoded = tryFlat(inputs, arity, failures);
        }
        return decoded.orElseThrow(() -> undecodable(jobIndex, arity, inputs, failures));
    }

    /** Returns whether the first word is the offset {@code 0x20}, the upstream test for ABI input. */
    static boolean looksLikeAbi(byte[] inputs) {
        if (inputs.length < ABI_MIN_LENGTH) {
            return false;
        }
        for (int i = 0; i < AbiStringDecoder.WORD - 1; i++) {
            if (inputs[i] != 0) {
                return false;
            }
        }
        return inputs[AbiStringDecoder.WORD - 1] == AbiStringDecoder.WORD;
    }

    private static Optional<List<String>> tryOuter(byte[] inputs, int arity, StringBuilder failures) {
        try {
            return Optional.of(AbiStringDecoder.decodeOuter(inputs, arity));
        } catch (InputFormatException e) {
            failures.append(" As outer-offset ABI: ").append(e.getMessage()).append('.');
            return Optional.empty();
        }
    }

    private static Optional<List<String>> tryFlat(byte[] inputs, int arity, StringBuilder failures) {
        try {
            return Optional.of(AbiStringDecoder.decodeFlat(inputs, arity));
        } catch (InputFormatException e) {
            failures.append(" As flat ABI: ").append(e.getMessage()).append('.');
            return Optional.empty();
        }
    }

    private static Optional<List<String>> tryCompact(int jobIndex, byte[] inputs, int arity, StringBuilder failures) {
        if (arity != 1) {
            failures.append(" As compact: the compact form holds one string, but ").append(JobIndex.name(jobIndex))
                    .append(" takes two.");
            return Optional.empty();
        }
        try {
            return Optional.of(List.of(CompactStringDecoder.decodeSingleStringTuple(inputs)));
        } catch (InputFormatException e) {
            failures.append(" As compact: ").append(e.getMessage()).append('.');
            return Optional.empty();
        }
    }

    private static JobInputException undecodable(int jobIndex, int arity, byte[] inputs, StringBuilder failures) {
        String expected = arity == 1 ? "(string vm_id)" : "(string vm_id, string snapshot_id)";
        return new JobInputException(jobIndex, "the " + inputs.length + "-byte input is not an encoding of "
                + expected + "." + failures, null);
    }

    private static Job toJob(int jobIndex, VmOperation operation, List<String> arguments) {
        String vmId;
        try {
            vmId = ResourceIds.requireVmId(arguments.get(0));
        } catch (InvalidIdException e) {
            throw new JobInputException(jobIndex, e.getMessage(), null);
        }

        String snapshotId = null;
        if (arguments.size() > 1) {
            try {
                snapshotId = ResourceIds.requireSnapshotId(arguments.get(1));
            } catch (InvalidIdException e) {
                throw new JobInputException(jobIndex, e.getMessage(), vmId);
            }
        }

        return switch (operation) {
            case CREATE -> new Job.CreateVm(vmId);
            case START -> new Job.StartVm(vmId);
            case STOP -> new Job.StopVm(vmId);
            case SNAPSHOT -> new Job.SnapshotVm(vmId, snapshotId);
            case DESTROY -> new Job.DestroyVm(vmId);
            case RESTORE -> new Job.RestoreVm(vmId, snapshotId);
        };
    }
}
