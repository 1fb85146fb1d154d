package io.tangle.microvm.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.tangle.microvm.runtime.ResourceIds;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Random and mutated inputs, from a fixed seed so that a failure reproduces: every input must
 * give a job with valid ids, an empty result for an index without a job, or a
 * {@link JobInputException}, and nothing else.
 */
class JobInputDecoderFuzzTest {

    private static final long SEED = 0x5EED_1234L;
    private static final int ROUNDS = 20_000;
    private static final String ID_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-";

    private final Random random = new Random(SEED);

    @Test
    void randomInputsGiveJobOrError() {
        int jobs = 0;
        int rejected = 0;
        for (int round = 0; round < ROUNDS; round++) {
            int index = random.nextInt(7);
            byte[] input = switch (random.nextInt(4)) {
                case 0 -> randomBytes();
                case 1 -> mutate(validInput(index));
                case 2 -> splice(validInput(index));
                default -> validInput(index);
            };

            Optional<Job> job = decode(round, index, input);
            if (job == null) {
                rejected++;
            } else if (job.isPresent()) {
                jobs++;
                assertValidIds(job.get());
            }
        }

        // Both outcomes must occur, or the generator has stopped exercising one side.
        assertThat(jobs).isGreaterThan(ROUNDS / 20);
        assertThat(rejected).isGreaterThan(ROUNDS / 20);
    }

    @Test
    void randomValidIdsRoundTripInEveryLayout() {
        for (int round = 0; round < 2_000; round++) {
            String vmId = randomId();
            String snapshotId = randomId();

            assertThat(JobInputDecoder.decode(JobIndex.CREATE_VM, AbiFixtures.flat(vmId)))
                    .contains(new Job.CreateVm(vmId));
            assertThat(JobInputDecoder.decode(JobIndex.STOP_VM, AbiFixtures.outer(vmId)))
                    .contains(new Job.StopVm(vmId));
            assertThat(JobInputDecoder.decode(JobIndex.DESTROY_VM, AbiFixtures.compact(vmId)))
                    .contains(new Job.DestroyVm(vmId));
            assertThat(JobInputDecoder.decode(JobIndex.SNAPSHOT_VM, AbiFixtures.flat(vmId, snapshotId)))
                    .contains(new Job.SnapshotVm(vmId, snapshotId));
            assertThat(JobInputDecoder.decode(JobIndex.RESTORE_VM, AbiFixtures.outer(vmId, snapshotId)))
                    .contains(new Job.RestoreVm(vmId, snapshotId));
        }
    }

    /** Returns the decoded job, or {@code null} when the decoder raised a {@link JobInputException}. */
    private static Optional<Job> decode(int round, int index, byte[] input) {
        try {
            return JobInputDecoder.decode(index, input);
        } catch (JobInputException e) {
            assertThat(e.getMessage()).startsWith(JobIndex.name(index) + ": ");
            return null;
        } catch (RuntimeException e) {
            fail("round " + round + ", index " + index + ", input 0x" + HexFormat.of().formatHex(input)
                    + " raised " + e, e);
            return null;
        }
    }

    private static void assertValidIds(Job job) {
        ResourceIds.requireVmId(job.vmId());
        if (job instanceof Job.SnapshotVm snapshot) {
            ResourceIds.requireSnapshotId(snapshot.snapshotId());
        }
        if (job instanceof Job.RestoreVm restore) {
            ResourceIds.requireSnapshotId(restore.snapshotId());
        }
    }

    private byte[] validInput(int index) {
        boolean pair = index == JobIndex.SNAPSHOT_VM || index == JobIndex.RESTORE_VM;
        String[] ids = pair ? new String[] {randomId(), randomId()} : new String[] {randomId()};
        int layout = random.nextInt(pair ? 2 : 3);
        return switch (layout) {
            case 0 -> AbiFixtures.flat(ids);
            case 1 -> AbiFixtures.outer(ids);
            default -> AbiFixtures.compact(ids[0]);
        };
    }

    private byte[] randomBytes() {
        byte[] bytes = new byte[random.nextInt(300)];
        random.nextBytes(bytes);
        // Half of them get an ABI-looking first word, to reach the ABI-first branch.
        if (bytes.length >= 64 && random.nextBoolean()) {
            Arrays.fill(bytes, 0, 31, (byte) 0);
            bytes[31] = 0x20;
        }
        return bytes;
    }

    /** Flips, sets or clears a few bytes; offset and length words are the likely targets. */
    private byte[] mutate(byte[] input) {
        byte[] copy = input.clone();
        int changes = 1 + random.nextInt(3);
        for (int i = 0; i < changes && copy.length > 0; i++) {
            int at = random.nextBoolean() ? random.nextInt(copy.length) : wordEnd(copy.length);
            copy[at] = switch (random.nextInt(4)) {
                case 0 -> (byte) (copy[at] ^ (1 << random.nextInt(8)));
                case 1 -> (byte) 0xFF;
                case 2 -> (byte) random.nextInt(256);
                default -> 0;
            };
        }
        return copy;
    }

    /** Truncates or extends the input, or both. */
    private byte[] splice(byte[] input) {
        int length = switch (random.nextInt(3)) {
            case 0 -> random.nextInt(input.length + 1);
            case 1 -> input.length + 1 + random.nextInt(64);
            default -> Math.max(0, input.length - 32 + random.nextInt(64));
        };
        byte[] copy = Arrays.copyOf(input, length);
        for (int i = input.length; i < length; i++) {
            copy[i] = random.nextBoolean() ? 0 : (byte) random.nextInt(256);
        }
        return copy;
    }

    private int wordEnd(int length) {
        int words = Math.max(1, length / 32);
        return Math.min(length - 1, random.nextInt(words) * 32 + 31);
    }

    private String randomId() {
        int length = 1 + random.nextInt(64);
        StringBuilder id = new StringBuilder();
        id.append(ID_CHARS.charAt(random.nextInt(62)));
        for (int i = 1; i < length; i++) {
            id.append(ID_CHARS.charAt(random.nextInt(ID_CHARS.length())));
        }
        return id.toString();
    }
}
