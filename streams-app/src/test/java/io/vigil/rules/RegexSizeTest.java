package io.vigil.rules;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RegexSizeTest {

    @Test
    void nestedCountedRepeatsMultiplyAndTooManyAreTooLarge() {
        assertThat(RegexSize.tooLarge("((a{1000}){1000}){100}")).isTrue();
        assertThat(RegexSize.tooLarge("(a{1000}){1000}")).isTrue();
        assertThat(RegexSize.tooLarge("(ab{1000}){100}")).isTrue();
        assertThat(RegexSize.tooLarge("(a{100}){100}")).isFalse();
        assertThat(RegexSize.tooLarge("(a{1000,}){99}")).isFalse();
        assertThat(RegexSize.tooLarge("(a{1000,}){100}")).isTrue();
    }

    @Test
    void whatSelectorsHoldIsFarBelowTheLimit() {
        assertThat(RegexSize.tooLarge("node-0[1-4]|db-.*|api-(eu|us)-[0-9]{1,3}")).isFalse();
        // A few thousand host names, listed.
        final StringBuilder hosts = new StringBuilder();
        for (int i = 0; i < 3000; i++) {
            hosts.append(i == 0 ? "" : "|").append("host-").append(i);
        }
        assertThat(RegexSize.tooLarge(hosts.toString())).isFalse();
    }

    /** Braces that start no repeat, and repeats inside classes or escapes, are single characters, as RE2 reads them. */
    @Test
    void bracesThatAreNoRepeatCountOnce() {
        assertThat(RegexSize.tooLarge("a{x}".repeat(10))).isFalse();
        assertThat(RegexSize.tooLarge("([{]1000})".repeat(3) + "{1000}")).isFalse();
        assertThat(RegexSize.tooLarge("(\\x{41}){1000}")).isFalse();
        assertThat(RegexSize.tooLarge("(\\{){1000}")).isFalse();
        assertThat(RegexSize.tooLarge("([]a]{100}){100}")).isFalse();
        assertThat(RegexSize.tooLarge("([]a]{1000}){1000}")).isTrue();
    }
}
