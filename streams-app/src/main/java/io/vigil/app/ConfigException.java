package io.vigil.app;

/** A configuration the engine cannot start with. The message names the key and says what would be right. */
public final class ConfigException extends RuntimeException {
    public ConfigException(final String message) {
        super(message);
    }
}
