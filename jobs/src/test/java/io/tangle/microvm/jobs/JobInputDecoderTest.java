package io.tangle.microvm.jobs;

import static io.tangle.microvm.jobs.AbiFixtures.compact;
import static io.tangle.microvm.jobs.AbiFixtures.concat;
import static io.tangle.microvm.jobs.AbiFixtures.flat;
import static io.tangle.microvm.jobs.AbiFixtures.hex;
import static io.tangle.microvm.jobs.AbiFixtures.outer;
import static io.tangle.microvm.jobs.AbiFixtures.toHex;
import static io.tangle.microvm.jobs.AbiFixtures.word;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class JobInputDecoderTest {

    /** {@code abi.encode("vm-1")}, 96 bytes. */
    private static final String FLAT_VM_1 = """
            0000000000000000000000000000000000000000000000000000000000000020
            0000000000000000000000000000000000000000000000000000000000000004
            766d2d3100000000000000000000000000000000000000000000000000000000
            """;

    /** {@code ("vm-1",).abi_encode()}, 128 bytes. */
    private static final String OUTER_VM_1 = """
            0000000000000000000000000000000000000000000000000000000000000020
            0000000000000000000000000000000000000000000000000000000000000020
            0000000000000000000000000000000000000000000000000000000000000004
            766d2d3100000000000000000000000000000000000000000000000000000000
            """;

    /** {@code abi.encode("vm-1", "snap-1")}. */
    private static final String FLAT_VM_1_SNAP_1 = """
            0000000000000000000000000000000000000000000000000000000000000040
            0000000000000000000000000000000000000000000000000000000000000080
            0000000000000000000000000000000000000000000000000000000000000004
            766d2d3100000000000000000000000000000000000000000000000000000000
            0000000000000000000000000000000000000000000000000000000000000006
            736e61702d310000000000000000000000000000000000000000000000000000
            """;

    /** {@code ("vm-1", "snap-1").abi_encode()}. */
    private static final String OUTER_VM_1_SNAP_1 = """
            0000000000000000000000000000000000000000000000000000000000000020
            0000000000000000000000000000000000000000000000000000000000000040
            0000000000000000000000000000000000000000000000000000000000000080
            0000000000000000000000000000000000000000000000000000000000000004
            766d2d3100000000000000000000000000000000000000000000000000000000
            0000000000000000000000000000000000000000000000000000000000000006
            736e61702d310000000000000000000000000000000000000000000000000000
            """;

    @Test
    void fixturesMatchGoldenEncodings() {
        assertThat(toHex(flat("vm-1"))).isEqualTo(toHex(hex(FLAT_VM_1)));
        assertThat(toHex(outer("vm-1"))).isEqualTo(toHex(hex(OUTER_VM_1)));
        assertThat(toHex(flat("vm-1", "snap-1"))).isEqualTo(toHex(hex(FLAT_VM_1_SNAP_1)));
        assertThat(toHex(outer("vm-1", "snap-1"))).isEqualTo(toHex(hex(OUTER_VM_1_SNAP_1)));
        assertThat(toHex(compact("vm-1"))).isEqualTo("0104766d2d31");
    }

    @Test
    void goldenFlatSingleString() {
        assertThat(hex(FLAT_VM_1)).hasSize(96);
        assertThat(JobInputDecoder.decode(JobIndex.CREATE_VM, hex(FLAT_VM_1))).contains(new Job.CreateVm("vm-1"));
    }

    @Test
    void goldenOuterSingleString() {
        assertThat(hex(OUTER_VM_1)).hasSize(128);
        assertThat(JobInputDecoder.decode(JobIndex.START_VM, hex(OUTER_VM_1))).contains(new Job.StartVm("vm-1"));
    }

    @Test
    void goldenFlatTwoStrings() {
        assertThat(JobInputDecoder.decode(JobIndex.SNAPSHOT_VM, hex(FLAT_VM_1_SNAP_1)))
                .contains(new Job.SnapshotVm("vm-1", "snap-1"));
    }

    @Test
    void goldenOuterTwoStrings() {
        assertThat(JobInputDecoder.decode(JobIndex.RESTORE_VM, hex(OUTER_VM_1_SNAP_1)))
                .contains(new Job.RestoreVm("vm-1", "snap-1"));
    }

    @Test
    void flatTwoStringsDoesNotLookLikeAbi() {
        // Its first word is 0x40, so upstream tries compact first and still decodes it as flat ABI.
        assertThat(JobInputDecoder.looksLikeAbi(hex(FLAT_VM_1_SNAP_1))).isFalse();
        assertThat(JobInputDecoder.looksLikeAbi(hex(FLAT_VM_1))).isTrue();
        assertThat(JobInputDecoder.looksLikeAbi(hex(OUTER_VM_1_SNAP_1))).isTrue();
        assertThat(JobInputDecoder.looksLikeAbi(compact("vm-1"))).isFalse();
    }

    static Stream<Arguments> singleStringJobs() {
        return Stream.of(
                Arguments.of(JobIndex.CREATE_VM, new Job.CreateVm("vm-42")),
                Arguments.of(JobIndex.START_VM, new Job.StartVm("vm-42")),
                Arguments.of(JobIndex.STOP_VM, new Job.StopVm("vm-42")),
                Arguments.of(JobIndex.DESTROY_VM, new Job.DestroyVm("vm-42")));
    }

    static Stream<Arguments> twoStringJobs() {
        return Stream.of(
                Arguments.of(JobIndex.SNAPSHOT_VM, new Job.SnapshotVm("vm-42", "snap_7")),
                Arguments.of(JobIndex.RESTORE_VM, new Job.RestoreVm("vm-42", "snap_7")));
    }

    @ParameterizedTest
    @MethodSource("singleStringJobs")
    void singleStringJobDecodesEveryLayout(int index, Job expected) {
        assertThat(JobInputDecoder.decode(index, flat("vm-42"))).contains(expected);
        assertThat(JobInputDecoder.decode(index, outer("vm-42"))).contains(expected);
        assertThat(JobInputDecoder.decode(index, compact("vm-42"))).contains(expected);
    }

    @ParameterizedTest
    @MethodSource("twoStringJobs")
    void twoStringJobDecodesBothAbiLayouts(int index, Job expected) {
        assertThat(JobInputDecoder.decode(index, flat("vm-42", "snap_7"))).contains(expected);
        assertThat(JobInputDecoder.decode(index, outer("vm-42", "snap_7"))).contains(expected);
    }

    @ParameterizedTest
    @ValueSource(ints = {JobIndex.SNAPSHOT_VM, JobIndex.RESTORE_VM})
    void twoStringJobRejectsCompact(int index) {
        JobInputException error = catchThrowableOfType(JobInputException.class,
                () -> JobInputDecoder.decode(index, compact("vm-42")));

        assertThat(error).hasMessageStartingWith(JobIndex.name(index) + ": the 7-byte input is not an encoding of"
                + " (string vm_id, string snapshot_id).");
        assertThat(error).hasMessageContaining("the compact form holds one string, but " + JobIndex.name(index)
                + " takes two");
        assertThat(error.vmId()).isEmpty();
    }

    @Test
    void twoStringJobRejectsSingleString() {
        assertThatThrownBy(() -> JobInputDecoder.decode(JobIndex.SNAPSHOT_VM, flat("vm-1")))
                .isInstanceOf(JobInputException.class)
                .hasMessageStartingWith("snapshot_vm: the 96-byte input is not an encoding of");
    }

    @Test
    void singleStringJobRejectsPair() {
        assertThatThrownBy(() -> JobInputDecoder.decode(JobIndex.CREATE_VM, outer("vm-1", "snap-1")))
                .isInstanceOf(JobInputException.class)
                .hasMessageContaining("unexpected bytes follow the end of the encoding");
    }

    @Test
    void compactAcceptsLongFieldCountAndLength() {
        byte[] input = concat(new byte[] {(byte) 0x80, 0x01}, new byte[] {(byte) 0xC0, 0x00, 0x04},
                "vm-1".getBytes(java.nio.charset.StandardCharsets.US_ASCII));

        assertThat(JobInputDecoder.decode(JobIndex.STOP_VM, input)).contains(new Job.StopVm("vm-1"));
    }

    @Test
    void compactLengthPrefixFormsMatchFixtures() {
        assertThat(toHex(AbiFixtures.compactLength(0x7F))).isEqualTo("7f");
        assertThat(toHex(AbiFixtures.compactLength(0x80))).isEqualTo("8080");
        assertThat(toHex(AbiFixtures.compactLength(0x3FFF))).isEqualTo("bfff");
        assertThat(toHex(AbiFixtures.compactLength(0x4000))).isEqualTo("c04000");
        assertThat(toHex(AbiFixtures.compactLength(0x1000_0000))).isEqualTo("f010000000");
    }

    @ParameterizedTest
    @ValueSource(ints = {6, 7, 100, 254, 255})
    void indexWithoutJobDecodesToEmpty(int index) {
        assertThat(JobInputDecoder.decode(index, flat("vm-1"))).isEmpty();
        assertThat(JobInputDecoder.decode(index, new byte[] {1, 2, 3})).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(ints = {-1, 256, Integer.MAX_VALUE})
    void indexOutOfRangeIsAProgrammingError(int index) {
        assertThatThrownBy(() -> JobInputDecoder.decode(index, flat("vm-1")))
                .isInstanceOf(IllegalArgumentException.class)
                .isNotInstanceOf(JobInputException.class)
                .hasMessageContaining("job index " + index);
    }

    @Test
    void oversizedInputIsRejectedBeforeDecoding() {
        byte[] input = new byte[JobInputDecoder.MAX_INPUT_BYTES + 1];

        assertThatThrownBy(() -> JobInputDecoder.decode(JobIndex.CREATE_VM, input))
                .isInstanceOf(JobInputException.class)
                .hasMessage("create_vm: the input is 16385 bytes, over the limit of 16384 bytes");
    }

    @Test
    void inputAtLimitIsDecoded() {
        // A valid flat encoding padded out with a gap before the string, exactly at the limit.
        int stringAt = JobInputDecoder.MAX_INPUT_BYTES - 64;
        byte[] input = new byte[JobInputDecoder.MAX_INPUT_BYTES];
        System.arraycopy(word(stringAt), 0, input, 0, 32);
        System.arraycopy(word(4), 0, input, stringAt, 32);
        System.arraycopy("vm-1".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0, input, stringAt + 32, 4);

        assertThat(JobInputDecoder.decode(JobIndex.CREATE_VM, input)).contains(new Job.CreateVm("vm-1"));
    }

    @Test
    void invalidVmIdNamesJobAndValue() {
        JobInputException error = catchThrowableOfType(JobInputException.class,
                () -> JobInputDecoder.decode(JobIndex.CREATE_VM, flat("../etc")));

        assertThat(error).hasMessageStartingWith("create_vm: vm_id '../etc' is invalid: ");
        assertThat(error.jobName()).isEqualTo("create_vm");
        assertThat(error.jobIndex()).isEqualTo(JobIndex.CREATE_VM);
        assertThat(error.vmId()).isEmpty();
    }

    @Test
    void emptyVmIdIsRejected() {
        assertThatThrownBy(() -> JobInputDecoder.decode(JobIndex.DESTROY_VM, compact("")))
                .isInstanceOf(JobInputException.class)
                .hasMessage("destroy_vm: vm_id must not be empty");
    }

    @Test
    void overlongVmIdIsRejected() {
        assertThatThrownBy(() -> JobInputDecoder.decode(JobIndex.START_VM, flat("a".repeat(65))))
                .isInstanceOf(JobInputException.class)
                .hasMessage("start_vm: vm_id exceeds maximum length of 64 characters (got 65)");
    }

    @Test
    void invalidSnapshotIdKeepsValidVmId() {
        JobInputException error = catchThrowableOfType(JobInputException.class,
                () -> JobInputDecoder.decode(JobIndex.SNAPSHOT_VM, flat("vm-1", "../x")));

        assertThat(error).hasMessageStartingWith("snapshot_vm: snapshot_id '../x' is invalid: ");
        assertThat(error.vmId()).contains("vm-1");
    }

    @Test
    void unicodeIdDecodesThenFailsIdRule() {
        JobInputException error = catchThrowableOfType(JobInputException.class,
                () -> JobInputDecoder.decode(JobIndex.CREATE_VM, outer("vm-\u0430")));

        assertThat(error).hasMessageStartingWith("create_vm: vm_id 'vm-\u0430' is invalid");
    }

    /** A named malformed input and a fragment its error message must contain. */
    record Malformed(String name, int index, byte[] input, String expected) {

        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Malformed> malformedInputs() {
        byte[] flatVm = flat("vm-1");
        byte[] outerVm = outer("vm-1");
        byte[] flatPair = flat("vm-1", "snap-1");

        return Stream.of(
                new Malformed("empty", JobIndex.CREATE_VM, new byte[0], "As compact: the input is empty"),
                new Malformed("one zero byte", JobIndex.CREATE_VM, new byte[1],
                        "As compact: the field count is 0, expected 1"),
                new Malformed("field count 2", JobIndex.CREATE_VM, hex("0204766d2d31"),
                        "the field count is 2, expected 1"),
                new Malformed("compact length past end", JobIndex.CREATE_VM, hex("0109766d2d31"),
                        "the string length at byte 1 is 9, but only 4 bytes follow"),
                new Malformed("compact cut inside length prefix", JobIndex.CREATE_VM, hex("01c001"),
                        "the 3-byte string length at byte 1 runs past the end of the 3-byte input"),
                new Malformed("compact ends after field count", JobIndex.START_VM, hex("01"),
                        "the input ends before the string length at byte 1"),
                new Malformed("compact trailing byte", JobIndex.CREATE_VM, hex("0104766d2d3100"),
                        "1 unexpected bytes follow the string at byte 6"),
                new Malformed("compact huge 5-byte length", JobIndex.CREATE_VM, hex("01ffffffffff766d"),
                        "the string length at byte 1 is 4294967295"),
                new Malformed("compact invalid utf-8", JobIndex.CREATE_VM, hex("0102c328"),
                        "the string at byte 2 is not valid UTF-8"),
                new Malformed("flat truncated data", JobIndex.CREATE_VM, Arrays.copyOf(flatVm, 68),
                        "string 1 at byte 32 declares 4 bytes, but its data and padding run past the end of the"
                                + " 68-byte input"),
                new Malformed("flat truncated length word", JobIndex.CREATE_VM, Arrays.copyOf(flatVm, 63),
                        "the 63-byte input is not an encoding of (string vm_id)"),
                new Malformed("flat trailing word", JobIndex.CREATE_VM, concat(flatVm, new byte[32]),
                        "32 unexpected bytes follow the end of the encoding at byte 96"),
                new Malformed("outer trailing byte", JobIndex.CREATE_VM, concat(outerVm, new byte[1]),
                        "1 unexpected bytes follow the end of the encoding at byte 128"),
                new Malformed("dirty padding", JobIndex.CREATE_VM, withByte(flatVm, 95, 1),
                        "the padding after string 1 has a non-zero byte at byte 95"),
                new Malformed("length past end", JobIndex.CREATE_VM, withByte(flatVm, 63, 0x60),
                        "declares 96 bytes, but its data and padding run past the end"),
                new Malformed("length with high bits", JobIndex.CREATE_VM, withByte(flatVm, 32, 1),
                        "is too large to be an offset or length"),
                new Malformed("offset with high bits", JobIndex.CREATE_VM, withByte(outerVm, 0, 0x80),
                        "the 128-byte input is not an encoding of (string vm_id)"),
                new Malformed("offset past end", JobIndex.CREATE_VM, withByte(flatVm, 31, (byte) 0xff),
                        "the 96-byte input is not an encoding of (string vm_id)"),
                new Malformed("offset at end", JobIndex.STOP_VM, concat(word(96), word(4), hex("766d2d31"),
                        new byte[28]),
                        "the length of string 1 at byte 96 needs 32 bytes, but the input ends at byte 96"),
                new Malformed("invalid utf-8", JobIndex.CREATE_VM, withByte(flatVm, 64, (byte) 0xff),
                        "string 1 at byte 32 is not valid UTF-8"),
                new Malformed("overlong utf-8 slash", JobIndex.CREATE_VM,
                        concat(word(32), word(2), hex("c0af"), new byte[30]), "is not valid UTF-8"),
                new Malformed("utf-16 surrogate", JobIndex.CREATE_VM,
                        concat(word(32), word(3), hex("eda080"), new byte[29]), "is not valid UTF-8"),
                new Malformed("pair second offset past end", JobIndex.SNAPSHOT_VM, withByte(flatPair, 63, 0x7f),
                        "the 192-byte input is not an encoding of (string vm_id, string snapshot_id)"),
                new Malformed("pair truncated", JobIndex.RESTORE_VM, Arrays.copyOf(flatPair, 170),
                        "string 2 at byte 128 declares 6 bytes, but its data and padding run past the end"),
                new Malformed("pair trailing bytes", JobIndex.SNAPSHOT_VM, concat(flatPair, new byte[5]),
                        "5 unexpected bytes follow the end of the encoding at byte 192"),
                new Malformed("zero words", JobIndex.CREATE_VM, new byte[64],
                        "As compact: the field count is 0, expected 1"),
                new Malformed("random text", JobIndex.DESTROY_VM, "hello world".getBytes(
                        java.nio.charset.StandardCharsets.US_ASCII), "As outer-offset ABI:"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedInputs")
    void malformedInputIsRejectedWithReason(Malformed malformed) {
        JobInputException error = catchThrowableOfType(JobInputException.class,
                () -> JobInputDecoder.decode(malformed.index(), malformed.input()));

        assertThat(error).isNotNull();
        assertThat(error).hasMessageStartingWith(JobIndex.name(malformed.index()) + ": ");
        assertThat(error).hasMessageContaining(malformed.expected());
        assertThat(error.vmId()).isEmpty();
    }

    @Test
    void undecodableMessageListsEveryAttemptInOrder() {
        JobInputException error = catchThrowableOfType(JobInputException.class,
                () -> JobInputDecoder.decode(JobIndex.CREATE_VM, withByte(flat("vm-1"), 95, 1)));

        String message = error.getMessage();
        int outer = message.indexOf("As outer-offset ABI:");
        int flat = message.indexOf("As flat ABI:");
        int compact = message.indexOf("As compact:");
        assertThat(outer).isPositive();
        assertThat(flat).isGreaterThan(outer);
        assertThat(compact).isGreaterThan(flat);
    }

    @Test
    void nonAbiInputTriesCompactFirst() {
        JobInputException error = catchThrowableOfType(JobInputException.class,
                () -> JobInputDecoder.decode(JobIndex.CREATE_VM, hex("0105766d2d31")));

        String message = error.getMessage();
        assertThat(message.indexOf("As compact:")).isLessThan(message.indexOf("As outer-offset ABI:"));
        assertThat(message.indexOf("As outer-offset ABI:")).isLessThan(message.indexOf("As flat ABI:"));
    }

    @Test
    void decodeDoesNotChangeInput() {
        byte[] input = flat("vm-1");
        byte[] copy = input.clone();

        JobInputDecoder.decode(JobIndex.CREATE_VM, input);

        assertThat(input).isEqualTo(copy);
    }

    @Test
    void decodedJobsKnowIndexAndName() {
        List<Optional<Job>> jobs = List.of(
                JobInputDecoder.decode(0, flat("a")), JobInputDecoder.decode(1, flat("a")),
                JobInputDecoder.decode(2, flat("a")), JobInputDecoder.decode(3, flat("a", "s")),
                JobInputDecoder.decode(4, flat("a")), JobInputDecoder.decode(5, flat("a", "s")));

        assertThat(jobs).extracting(job -> job.orElseThrow().index()).containsExactly(0, 1, 2, 3, 4, 5);
        assertThat(jobs).extracting(job -> job.orElseThrow().name())
                .containsExactly("create_vm", "start_vm", "stop_vm", "snapshot_vm", "destroy_vm", "restore_vm");
    }

    private static byte[] withByte(byte[] input, int at, int value) {
        byte[] copy = input.clone();
        copy[at] = (byte) value;
        return copy;
    }
}
