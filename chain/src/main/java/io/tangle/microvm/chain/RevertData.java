package io.tangle.microvm.chain;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Revert data of a failed {@code eth_call}, {@code eth_estimateGas} or {@code eth_sendRawTransaction}:
 * the ABI-encoded custom error, whose first 4 bytes are the error selector.
 *
 * @param hex the revert data as lowercase {@code 0x} hex, at least a selector long
 */
public record RevertData(String hex) {

    // Nodes put the revert data in the JSON-RPC error's "data" field. Some also or only quote it in
    // the message, so the message is searched for a 0x hex string of at least a selector as a fallback.
    private static final Pattern HEX_IN_MESSAGE = Pattern.compile("0x[0-9a-fA-F]{8,}");

    public RevertData {
        if (selectorOf(hex) == null) {
            throw new IllegalArgumentException("revert data must be 0x hex of at least 4 bytes: " + hex);
        }
        hex = hex.toLowerCase(Locale.ROOT);
    }

    /** Returns the 4-byte error selector as lowercase {@code 0x} hex. */
    public String selector() {
        return hex.substring(0, 10);
    }

    /** Returns the known Tangle error this data starts with, if any. */
    public Optional<TangleError> tangleError() {
        return TangleError.fromRevertData(hex);
    }

    /** Returns a short description for logs and messages: the error name when known, else the selector. */
    public String describe() {
        return tangleError().map(TangleError::toString).orElse("unknown error " + selector());
    }

    /**
     * Returns the call id that the error names, for the Tangle errors whose second argument is a
     * {@code uint64 callId} ({@code JobAlreadyCompleted}, {@code ResultAlreadySubmitted},
     * {@code JobCallNotFound}); empty for other errors or data too short to hold it.
     */
    public Optional<Long> callId() {
        Optional<TangleError> error = tangleError();
        boolean namesCall = error.isPresent() && (error.get().meansAlreadyAnswered()
                || error.get() == TangleError.JOB_CALL_NOT_FOUND);
        int wordEnd = 10 + 2 * 64;
        if (!namesCall || hex.length() < wordEnd) {
            return Optional.empty();
        }

        // The second ABI word: a uint64 sits in its last 8 bytes, and the bytes before are zero.
        String word = hex.substring(10 + 64, wordEnd);
        if (!word.substring(0, 48).chars().allMatch(c -> c == '0')) {
            return Optional.empty();
        }
        return Optional.of(Long.parseUnsignedLong(word.substring(48), 16));
    }

    /**
     * Extracts revert data from a JSON-RPC error: its {@code data} field when that is hex, else the
     * first hex string in its message that starts with a known Tangle error selector.
     */
    public static Optional<RevertData> fromRpcError(String data, String message) {
        if (data != null) {
            String trimmed = stripQuotes(data.trim());
            if (selectorOf(trimmed) != null) {
                return Optional.of(new RevertData(trimmed));
            }
        }
        if (message != null) {
            Matcher matcher = HEX_IN_MESSAGE.matcher(message);
            while (matcher.find()) {
                String candidate = matcher.group();
                if (TangleError.fromRevertData(candidate).isPresent()) {
                    return Optional.of(new RevertData(candidate));
                }
            }
        }
        return Optional.empty();
    }

    /** Returns the lowercase 4-byte selector that starts {@code hex}, or null when it is not hex of at least 4 bytes. */
    static String selectorOf(String hex) {
        if (hex == null || hex.length() < 10 || !hex.startsWith("0x") || hex.length() % 2 != 0) {
            return null;
        }
        for (int i = 2; i < hex.length(); i++) {
            if (Character.digit(hex.charAt(i), 16) < 0) {
                return null;
            }
        }
        return hex.substring(0, 10).toLowerCase(Locale.ROOT);
    }

    private static String stripQuotes(String value) {
        if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
            return value.substring(1, value.length() - 1);
        }
        return value;
    }
}
