package io.tangle.microvm.app.config;

/** A missing or invalid setting. The message names the flag or environment variable and the fix. */
public final class ConfigException extends RuntimeException {

    public ConfigException(String message) {
        super(message);
    }
}
