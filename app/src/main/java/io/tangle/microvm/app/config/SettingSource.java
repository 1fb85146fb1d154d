package io.tangle.microvm.app.config;

import java.math.BigInteger;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Reads settings where a command-line flag wins over an environment variable. Every parse error
 * names the flag, the variable and the rejected value, so an operator can fix it from the message.
 */
final class SettingSource {

    private static final Pattern ADDRESS = Pattern.compile("0x[0-9a-fA-F]{40}");
    private static final BigInteger MAX_U64 = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

    private final Map<String, String> environment;

    SettingSource(Map<String, String> environment) {
        this.environment = Map.copyOf(environment);
    }

    /** Returns the flag value when given, else the non-blank environment value. */
    Optional<String> raw(String flagValue, String variable) {
        if (flagValue != null) {
            return Optional.of(flagValue);
        }
        String value = environment.get(variable);
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.trim());
    }

    String require(String flagValue, String flag, String variable, String hint) {
        return raw(flagValue, variable).orElseThrow(() -> new ConfigException(
                "missing " + describe(flag, variable) + ": " + hint));
    }

    long requireU64(String flagValue, String flag, String variable) {
        String value = require(flagValue, flag, variable, "set it to the on-chain id, an unsigned 64-bit integer");
        return parseU64(value, flag, variable);
    }

    Optional<Long> optionalU64(String flagValue, String flag, String variable) {
        return raw(flagValue, variable).map(value -> parseU64(value, flag, variable));
    }

    String requireAddress(String flagValue, String flag, String variable) {
        String value = require(flagValue, flag, variable, "set it to the Tangle contract address (0x and 40 hex digits)");
        if (!ADDRESS.matcher(value).matches()) {
            throw new ConfigException("invalid " + describe(flag, variable) + " '" + value
                    + "': expected 0x followed by 40 hex digits");
        }
        if (new BigInteger(value.substring(2), 16).signum() == 0) {
            throw new ConfigException("invalid " + describe(flag, variable)
                    + " '" + value + "': the zero address watches nothing; set the Tangle contract address");
        }
        return value.toLowerCase(Locale.ROOT);
    }

    boolean bool(boolean flagSet, String variable) {
        if (flagSet) {
            return true;
        }
        String value = environment.get(variable);
        if (value == null || value.isBlank()) {
            return false;
        }
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "1", "true", "yes", "on" -> true;
            case "0", "false", "no", "off" -> false;
            default -> throw new ConfigException("invalid " + variable + " '" + value + "': expected true or false");
        };
    }

    URI httpUrl(String flagValue, String flag, String variable, String fallback) {
        String value = raw(flagValue, variable).orElse(fallback);
        try {
            URI uri = new URI(value);
            if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
                throw new ConfigException("invalid " + describe(flag, variable) + " '" + value
                        + "': expected an http:// or https:// URL such as http://127.0.0.1:8545");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new ConfigException("invalid " + describe(flag, variable) + " '" + value + "': " + e.getReason());
        }
    }

    Path path(String value, String flag, String variable) {
        try {
            return Path.of(value).toAbsolutePath().normalize();
        } catch (InvalidPathException e) {
            throw new ConfigException("invalid " + describe(flag, variable) + " '" + value + "': " + e.getReason());
        }
    }

    Duration millis(String flagValue, String flag, String variable, long fallback, long min, long max) {
        long value = raw(flagValue, variable).map(v -> parseLong(v, flag, variable, min, max, "milliseconds"))
                .orElse(fallback);
        checkRange(value, min, max, flag, variable, "milliseconds");
        return Duration.ofMillis(value);
    }

    long number(String flagValue, String flag, String variable, long fallback, long min, long max) {
        long value = raw(flagValue, variable).map(v -> parseLong(v, flag, variable, min, max, "")).orElse(fallback);
        checkRange(value, min, max, flag, variable, "");
        return value;
    }

    private static void checkRange(long value, long min, long max, String flag, String variable, String unit) {
        if (value < min || value > max) {
            String suffix = unit.isEmpty() ? "" : " " + unit;
            throw new ConfigException("invalid " + describe(flag, variable) + " " + value + ": expected " + min
                    + " to " + max + suffix);
        }
    }

    /** Parses an integer setting; an integer too large for a long is reported with the range it must be in. */
    private static long parseLong(String value, String flag, String variable, long min, long max, String unit) {
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            String range = min + " to " + max + (unit.isEmpty() ? "" : " " + unit);
            String expected = value.trim().matches("[+-]?\\d+") ? range : "an integer from " + range;
            throw new ConfigException("invalid " + describe(flag, variable) + " '" + value + "': expected " + expected);
        }
    }

    private static long parseU64(String value, String flag, String variable) {
        BigInteger parsed;
        try {
            parsed = new BigInteger(value.trim());
        } catch (NumberFormatException e) {
            throw new ConfigException("invalid " + describe(flag, variable) + " '" + value
                    + "': expected an unsigned 64-bit integer");
        }
        if (parsed.signum() < 0 || parsed.compareTo(MAX_U64) > 0) {
            throw new ConfigException("invalid " + describe(flag, variable) + " '" + value
                    + "': expected an unsigned 64-bit integer");
        }
        if (parsed.bitLength() > 63) {
            // NOTE: Tangle ids are uint64, but call and service ids count up from 0, so ids above
            // 2^63 - 1 never occur in practice. The store and the poller keep them as signed longs.
            throw new ConfigException("invalid " + describe(flag, variable) + " '" + value
                    + "': ids above 9223372036854775807 are not supported");
        }
        return parsed.longValue();
    }

    static String describe(String flag, String variable) {
        return flag == null ? variable : flag + " / " + variable;
    }
}
