package io.tangle.microvm.runtime;

import java.util.regex.Pattern;

/**
 * The identifier rule for VM and snapshot ids, the same for every provider: 1 to 64 characters
 * from {@code [A-Za-z0-9_-]}, starting with a letter or digit. Ids become file, socket and
 * process names in real providers, so the rule excludes path separators, dots and anything a
 * shell or a URL would change.
 */
public final class ResourceIds {

    /** Maximum length of an id, in characters. */
    public static final int MAX_LENGTH = 64;

    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,63}");

    private ResourceIds() {
    }

    /** Checks a VM id and throws {@link InvalidIdException} naming the {@code vm_id} when it breaks the rule. */
    public static String requireVmId(String value) {
        return require(value, "vm_id");
    }

    /** Checks a snapshot id and throws {@link InvalidIdException} naming the {@code snapshot_id} when it breaks the rule. */
    public static String requireSnapshotId(String value) {
        return require(value, "snapshot_id");
    }

    private static String require(String value, String label) {
        if (value == null || value.isEmpty()) {
            throw new InvalidIdException(label + " must not be empty");
        }
        if (value.length() > MAX_LENGTH) {
            throw new InvalidIdException(label + " exceeds maximum length of " + MAX_LENGTH + " characters (got "
                    + value.length() + ")");
        }
        if (!VALID.matcher(value).matches()) {
            throw new InvalidIdException(label + " '" + value + "' is invalid: use 1 to " + MAX_LENGTH
                    + " characters from A-Z, a-z, 0-9, '_' and '-', starting with a letter or digit");
        }
        return value;
    }

    /** An id that breaks the identifier rule. The message names the id's label and the value. */
    public static final class InvalidIdException extends IllegalArgumentException {

        InvalidIdException(String message) {
            super(message);
        }
    }
}
