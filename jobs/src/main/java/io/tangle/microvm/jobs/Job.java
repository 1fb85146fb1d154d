package io.tangle.microvm.jobs;

import io.tangle.microvm.runtime.ResourceIds;
import io.tangle.microvm.runtime.VmOperation;

/**
 * One decoded lifecycle job with its arguments. Every record checks its ids with
 * {@link ResourceIds} on construction, so a {@code Job} always names valid ids.
 */
public sealed interface Job {

    /** Returns the VM the job acts on. */
    String vmId();

    /** Returns the provider operation the job performs. */
    VmOperation operation();

    /** Returns the on-chain job index, 0 to 5. */
    default int index() {
        return JobIndex.of(operation());
    }

    /** Returns the job name, such as {@code create_vm}. */
    default String name() {
        return operation().jobName();
    }

    /** Job 0: provision a VM under a new id. */
    record CreateVm(String vmId) implements Job {

        public CreateVm {
            ResourceIds.requireVmId(vmId);
        }

        @Override
        public VmOperation operation() {
            return VmOperation.CREATE;
        }
    }

    /** Job 1: start a created or stopped VM. */
    record StartVm(String vmId) implements Job {

        public StartVm {
            ResourceIds.requireVmId(vmId);
        }

        @Override
        public VmOperation operation() {
            return VmOperation.START;
        }
    }

    /** Job 2: stop a running VM. */
    record StopVm(String vmId) implements Job {

        public StopVm {
            ResourceIds.requireVmId(vmId);
        }

        @Override
        public VmOperation operation() {
            return VmOperation.STOP;
        }
    }

    /** Job 3: save the VM under a snapshot name that is new for this VM. */
    record SnapshotVm(String vmId, String snapshotId) implements Job {

        public SnapshotVm {
            ResourceIds.requireVmId(vmId);
            ResourceIds.requireSnapshotId(snapshotId);
        }

        @Override
        public VmOperation operation() {
            return VmOperation.SNAPSHOT;
        }
    }

    /** Job 4: destroy the VM. The record stays and the id is never reused. */
    record DestroyVm(String vmId) implements Job {

        public DestroyVm {
            ResourceIds.requireVmId(vmId);
        }

        @Override
        public VmOperation operation() {
            return VmOperation.DESTROY;
        }
    }

    /** Job 5: replace the VM's guest with one of its snapshots and leave it running. */
    record RestoreVm(String vmId, String snapshotId) implements Job {

        public RestoreVm {
            ResourceIds.requireVmId(vmId);
            ResourceIds.requireSnapshotId(snapshotId);
        }

        @Override
        public VmOperation operation() {
            return VmOperation.RESTORE;
        }
    }
}
