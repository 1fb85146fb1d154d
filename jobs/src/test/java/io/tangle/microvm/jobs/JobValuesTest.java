package io.tangle.microvm.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tangle.microvm.runtime.ResourceIds;
import io.tangle.microvm.runtime.VmOperation;
import org.junit.jupiter.api.Test;

/** The small value types: results, calls, executions, jobs and indexes. */
class JobValuesTest {

    private static final String CALLER = "0x" + "ab".repeat(20);

    @Test
    void abiTrueIsGoldenWord() {
        assertThat(AbiFixtures.toHex(JobResults.abiTrue()))
                .isEqualTo("0000000000000000000000000000000000000000000000000000000000000001");
    }

    @Test
    void abiTrueReturnsFreshArray() {
        byte[] first = JobResults.abiTrue();
        first[31] = 0;

        assertThat(JobResults.abiTrue()[31]).isEqualTo((byte) 1);
    }

    @Test
    void jobCallCopiesInputsIn() {
        byte[] inputs = {1, 2, 3};
        JobCall call = new JobCall(1, 7, 0, CALLER, inputs, 10, 0);

        inputs[0] = 9;

        assertThat(call.inputs()).containsExactly(1, 2, 3);
    }

    @Test
    void jobCallCopiesInputsOut() {
        JobCall call = new JobCall(1, 7, 0, CALLER, new byte[] {1, 2, 3}, 10, 0);

        call.inputs()[0] = 9;

        assertThat(call.inputs()).containsExactly(1, 2, 3);
    }

    @Test
    void jobCallEqualityUsesInputContent() {
        JobCall first = new JobCall(1, 7, 0, CALLER, new byte[] {1, 2}, 10, 3);
        JobCall second = new JobCall(1, 7, 0, CALLER, new byte[] {1, 2}, 10, 3);

        assertThat(first).isEqualTo(second);
        assertThat(first).hasSameHashCodeAs(second);
        assertThat(first).isNotEqualTo(new JobCall(1, 7, 0, CALLER, new byte[] {1, 3}, 10, 3));
    }

    @Test
    void jobCallPrintsUnsignedIdsAndInputs() {
        JobCall call = new JobCall(-1, -2, 4, CALLER, new byte[] {(byte) 0xab}, 5, 6);

        assertThat(call.toString())
                .contains("serviceId=18446744073709551615")
                .contains("callId=18446744073709551614")
                .contains("inputs=0xab (1 bytes)");
    }

    @Test
    void jobCallRejectsIndexOutOfRange() {
        assertThatThrownBy(() -> new JobCall(1, 7, 256, CALLER, new byte[0], 10, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("job index 256 is out of range: expected 0 to 255");
        assertThatThrownBy(() -> new JobCall(1, 7, -1, CALLER, new byte[0], 10, 0))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void jobCallRejectsBadCaller() {
        String upper = "0x" + "AB".repeat(20);

        assertThatThrownBy(() -> new JobCall(1, 7, 0, upper, new byte[0], 10, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("caller '" + upper + "' of job call 7 is invalid");
        assertThatThrownBy(() -> new JobCall(1, 7, 0, "ab".repeat(20), new byte[0], 10, 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new JobCall(1, 7, 0, "0x" + "ab".repeat(19), new byte[0], 10, 0))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void jobCallRejectsNullInputs() {
        assertThatThrownBy(() -> new JobCall(1, 7, 0, CALLER, null, 10, 0))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("inputs");
    }

    @Test
    void succeededCopiesResult() {
        byte[] result = JobResults.abiTrue();
        JobExecution.Succeeded succeeded = new JobExecution.Succeeded(result);

        result[31] = 0;
        succeeded.result()[31] = 0;

        assertThat(succeeded.result()).isEqualTo(JobResults.abiTrue());
        assertThat(succeeded).isEqualTo(new JobExecution.Succeeded(JobResults.abiTrue()));
    }

    @Test
    void jobIndexesMatchOperations() {
        for (VmOperation operation : VmOperation.values()) {
            int index = JobIndex.of(operation);

            assertThat(JobIndex.operation(index)).contains(operation);
            assertThat(JobIndex.name(index)).isEqualTo(operation.jobName());
        }
        assertThat(JobIndex.name(6)).isEqualTo("unknown");
        assertThat(JobIndex.operation(255)).isEmpty();
    }

    @Test
    void jobIndexConstantsAreSequential() {
        assertThat(new int[] {JobIndex.CREATE_VM, JobIndex.START_VM, JobIndex.STOP_VM, JobIndex.SNAPSHOT_VM,
            JobIndex.DESTROY_VM, JobIndex.RESTORE_VM}).containsExactly(0, 1, 2, 3, 4, 5);
    }

    @Test
    void jobRecordsValidateIds() {
        assertThatThrownBy(() -> new Job.CreateVm("a/b")).isInstanceOf(ResourceIds.InvalidIdException.class);
        assertThatThrownBy(() -> new Job.SnapshotVm("vm-1", "")).isInstanceOf(ResourceIds.InvalidIdException.class);
        assertThatThrownBy(() -> new Job.RestoreVm("vm-1", "s.1"))
                .isInstanceOf(ResourceIds.InvalidIdException.class);
    }
}
