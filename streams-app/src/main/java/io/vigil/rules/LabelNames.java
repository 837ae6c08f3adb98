package io.vigil.rules;

import java.util.regex.Pattern;

/** Prometheus' label name syntax, and the names a rule may not set. */
public final class LabelNames {

    public static final String RULE = "must match [a-zA-Z_][a-zA-Z0-9_]*";

    private static final Pattern NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

    private LabelNames() {
    }

    public static boolean isValid(final String name) {
        return NAME.matcher(name).matches();
    }
}
