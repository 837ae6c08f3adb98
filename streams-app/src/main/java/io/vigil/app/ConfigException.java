package io.vigil.app;

import io.vigil.model.PrintableText;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A configuration the engine cannot start with. The message names the key and says what would be right; it is one
 * line per problem, so a value it quotes has its line breaks and control characters escaped.
 */
public final class ConfigException extends RuntimeException {
    public ConfigException(final String message) {
        super(PrintableText.escaped(message));
    }

    /** Several problems, a line each. */
    public ConfigException(final List<String> problems) {
        super(problems.stream().map(PrintableText::escaped).collect(Collectors.joining("\n")));
    }
}
