package io.tangle.microvm.runtime;

import static io.tangle.microvm.runtime.VmOperation.CREATE;
import static io.tangle.microvm.runtime.VmOperation.DESTROY;
import static io.tangle.microvm.runtime.VmOperation.RESTORE;
import static io.tangle.microvm.runtime.VmOperation.SNAPSHOT;
import static io.tangle.microvm.runtime.VmOperation.START;
import static io.tangle.microvm.runtime.VmOperation.STOP;
import static io.tangle.microvm.runtime.VmStatus.CREATED;
import static io.tangle.microvm.runtime.VmStatus.DESTROYED;
import static io.tangle.microvm.runtime.VmStatus.RUNNING;
import static io.tangle.microvm.runtime.VmStatus.STOPPED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The whole transition table, written out by hand from the upstream rules plus restore, so that a
 * change to {@link VmTransitions} shows up as a failing row.
 */
class VmTransitionsTest {

    private static final String VM = "vm-1";

    /** One row: the current status ({@code null} for absent), the operation and what must happen. */
    record Row(VmStatus current, VmOperation operation, VmStatus next, Class<? extends VmRuntimeException> error,
            String message) {

        static Row allowed(VmStatus current, VmOperation operation, VmStatus next) {
            return new Row(current, operation, next, null, null);
        }

        static Row rejected(VmStatus current, VmOperation operation, Class<? extends VmRuntimeException> error,
                String message) {
            return new Row(current, operation, null, error, message);
        }

        @Override
        public String toString() {
            String from = current == null ? "absent" : current.wireName();
            String outcome = next != null ? next.wireName() : error.getSimpleName();
            return from + " + " + operation.jobName() + " -> " + outcome;
        }
    }

    static List<Row> table() {
        return List.of(
                Row.allowed(null, CREATE, CREATED),
                Row.rejected(null, START, VmNotFoundException.class, "vm 'vm-1' not found"),
                Row.rejected(null, STOP, VmNotFoundException.class, "vm 'vm-1' not found"),
                Row.rejected(null, SNAPSHOT, VmNotFoundException.class, "vm 'vm-1' not found"),
                Row.rejected(null, DESTROY, VmNotFoundException.class, "vm 'vm-1' not found"),
                Row.rejected(null, RESTORE, VmNotFoundException.class, "vm 'vm-1' not found"),

                Row.rejected(CREATED, CREATE, VmAlreadyExistsException.class, "vm 'vm-1' already exists"),
                Row.allowed(CREATED, START, RUNNING),
                Row.rejected(CREATED, STOP, InvalidTransitionException.class,
                        "invalid vm transition for 'vm-1': created -> stopped"),
                Row.allowed(CREATED, SNAPSHOT, CREATED),
                Row.allowed(CREATED, DESTROY, DESTROYED),
                Row.allowed(CREATED, RESTORE, RUNNING),

                Row.rejected(RUNNING, CREATE, VmAlreadyExistsException.class, "vm 'vm-1' already exists"),
                Row.rejected(RUNNING, START, InvalidTransitionException.class,
                        "invalid vm transition for 'vm-1': running -> running"),
                Row.allowed(RUNNING, STOP, STOPPED),
                Row.allowed(RUNNING, SNAPSHOT, RUNNING),
                Row.allowed(RUNNING, DESTROY, DESTROYED),
                Row.allowed(RUNNING, RESTORE, RUNNING),

                Row.rejected(STOPPED, CREATE, VmAlreadyExistsException.class, "vm 'vm-1' already exists"),
                Row.allowed(STOPPED, START, RUNNING),
                Row.rejected(STOPPED, STOP, InvalidTransitionException.class,
                        "invalid vm transition for 'vm-1': stopped -> stopped"),
                Row.allowed(STOPPED, SNAPSHOT, STOPPED),
                Row.allowed(STOPPED, DESTROY, DESTROYED),
                Row.allowed(STOPPED, RESTORE, RUNNING),

                Row.rejected(DESTROYED, CREATE, VmAlreadyExistsException.class, "vm 'vm-1' already exists"),
                Row.rejected(DESTROYED, START, InvalidTransitionException.class,
                        "invalid vm transition for 'vm-1': destroyed -> running"),
                Row.rejected(DESTROYED, STOP, InvalidTransitionException.class,
                        "invalid vm transition for 'vm-1': destroyed -> stopped"),
                Row.rejected(DESTROYED, SNAPSHOT, InvalidTransitionException.class,
                        "invalid vm transition for 'vm-1': destroyed -> snapshot"),
                Row.rejected(DESTROYED, DESTROY, InvalidTransitionException.class,
                        "invalid vm transition for 'vm-1': destroyed -> destroyed"),
                Row.rejected(DESTROYED, RESTORE, InvalidTransitionException.class,
                        "invalid vm transition for 'vm-1': destroyed -> running"));
    }

    static Stream<Arguments> allowedRows() {
        return table().stream().filter(row -> row.next() != null).map(Arguments::of);
    }

    static Stream<Arguments> rejectedRows() {
        return table().stream().filter(row -> row.error() != null).map(Arguments::of);
    }

    @Test
    void tableCoversEveryStatusAndOperationPair() {
        List<VmStatus> statuses = new ArrayList<>(Arrays.asList(VmStatus.values()));
        statuses.add(null);
        Set<String> expected = new HashSet<>();
        for (VmStatus status : statuses) {
            for (VmOperation operation : VmOperation.values()) {
                expected.add(status + "/" + operation);
            }
        }

        Set<String> covered = new HashSet<>();
        for (Row row : table()) {
            covered.add(row.current() + "/" + row.operation());
        }

        assertThat(table()).hasSize(expected.size());
        assertThat(covered).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("allowedRows")
    void allowedTransitionReturnsNextStatus(Row row) {
        assertThat(VmTransitions.next(VM, row.current(), row.operation())).isEqualTo(row.next());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rejectedRows")
    void rejectedTransitionThrowsUpstreamError(Row row) {
        VmRuntimeException error = catchThrowableOfType(row.error(),
                () -> VmTransitions.next(VM, row.current(), row.operation()));

        assertThat(error).isNotNull();
        assertThat(error).hasMessage(row.message());
        assertThat(error.vmId()).isEqualTo(VM);
        assertThat(error.operation()).isEqualTo(row.operation());
        assertThat(error.status()).isEqualTo(java.util.Optional.ofNullable(row.current()));
    }
}
