package io.tangle.microvm.jobs;

/**
 * Whether only a VM's creator may run jobs on it. The Rust blueprint lets any permitted caller of
 * the service stop or destroy any VM; {@link #DISABLED} keeps that behaviour.
 */
public enum OwnerCheck {
    ENFORCED,
    DISABLED
}
