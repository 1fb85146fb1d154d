package io.tangle.microvm.app.config;

import java.util.Locale;

/** The VM provider selected with {@code MICROVM_PROVIDER}, case-insensitive. */
public enum ProviderKind {
    IN_MEMORY("in-memory"),
    QEMU("qemu"),
    FIRECRACKER("firecracker");

    private final String configName;

    ProviderKind(String configName) {
        this.configName = configName;
    }

    public String configName() {
        return configName;
    }

    /** Parses a provider name; {@code memory} is the upstream alias of {@code in-memory}. */
    public static ProviderKind parse(String value) {
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "in-memory", "memory" -> IN_MEMORY;
            case "qemu" -> QEMU;
            case "firecracker" -> FIRECRACKER;
            default -> throw new ConfigException("Unknown MICROVM_PROVIDER '" + value
                    + "' (expected in-memory, qemu or firecracker)");
        };
    }
}
