package io.vigil.app;

import java.util.ArrayList;
import java.util.List;

/**
 * What rule tests found: one line per failure, in the order found, and how many tests passed and failed. A test file
 * that could not be run at all counts as one failed test, so that the summary never reads as a success for it.
 *
 * @param failures one line each, {@code FILE: test "NAME": at 15m: expected [...] but firing [...]} or a problem
 *                 of the file as {@code file:line:column: message}
 */
record RuleTestReport(List<String> failures, int passed, int failed) {

    static final RuleTestReport EMPTY = new RuleTestReport(List.of(), 0, 0);

    RuleTestReport {
        failures = List.copyOf(failures);
    }

    static RuleTestReport passedTest() {
        return new RuleTestReport(List.of(), 1, 0);
    }

    static RuleTestReport failedTest(final List<String> failures) {
        return new RuleTestReport(failures, 0, 1);
    }

    RuleTestReport plus(final RuleTestReport other) {
        final List<String> all = new ArrayList<>(failures);
        all.addAll(other.failures);
        return new RuleTestReport(all, passed + other.passed, failed + other.failed);
    }

    boolean allPassed() {
        return failed == 0;
    }

    /** {@code N passed, M failed}: CI reads this exact form. */
    String summary() {
        return passed + " passed, " + failed + " failed";
    }
}
