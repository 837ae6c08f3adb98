package io.vigil.rules;

/**
 * A rule file as it was read: its name, as rules and problems give it, and its text. What an engine keeps of the rules
 * it ran, to tell after a restart which of them were removed or changed while it was stopped.
 */
public record RuleSource(String file, String text) {
}
