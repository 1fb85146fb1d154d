package io.tangle.microvm.store;

import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/** Checks for values that come from the chain, shared by the position records. */
final class ChainValues {

    private static final Pattern HASH = Pattern.compile("0x[0-9a-fA-F]{64}");

    private ChainValues() {
    }

    /** Returns the hash in lowercase, or throws when it is not a 0x-prefixed 32-byte hex string. */
    static String requireHash(String value, String field) {
        Objects.requireNonNull(value, field);
        if (!HASH.matcher(value).matches()) {
            throw new IllegalArgumentException(field + " is not a 0x-prefixed 32-byte hex hash: '" + value + "'");
        }
        return value.toLowerCase(Locale.ROOT);
    }

    static void requireNotNegative(long value, String field) {
        if (value < 0) {
            throw new IllegalArgumentException(field + " < 0: " + value);
        }
    }
}
