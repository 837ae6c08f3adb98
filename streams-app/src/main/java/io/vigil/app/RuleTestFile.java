package io.vigil.app;

import io.vigil.model.Labels;
import io.vigil.model.Series;
import io.vigil.rules.RuleProblem;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A rule unit test file (rules.md, "Rule unit tests"), read and checked by {@link RuleTestLoader}.
 *
 * @param path      the test file as the user named it, for messages
 * @param ruleFiles the rule files it tests, resolved against the test file's directory
 * @param tests     its tests, in file order
 */
record RuleTestFile(Path path, List<Path> ruleFiles, List<TestCase> tests, List<RuleProblem> missingRuleFiles) {

    RuleTestFile {
        ruleFiles = List.copyOf(ruleFiles);
        tests = List.copyOf(tests);
        missingRuleFiles = List.copyOf(missingRuleFiles);
    }

    /**
     * One test: input series played from t = 0 (1970-01-01T00:00:00Z), and the alerts expected at given times.
     *
     * @param interval the time between two samples of an input series
     */
    record TestCase(String name, Duration interval, List<InputSeries> inputSeries, List<Expectation> alerts) {
        TestCase {
            inputSeries = List.copyOf(inputSeries);
            alerts = List.copyOf(alerts);
        }
    }

    /** A series and its samples; sample {@code i} is at {@code i * interval}. */
    record InputSeries(Series series, SeriesValues values) {
    }

    /**
     * The alerts firing at {@code at} (an offset from t = 0): fired at or before it and not resolved at or before it.
     * The expectation holds when expected and firing alerts match one to one; {@code firing} empty means none.
     */
    record Expectation(Duration at, List<ExpectedAlert> firing) {
        Expectation {
            firing = List.copyOf(firing);
        }
    }

    /**
     * An expected alert: it matches a firing alert whose labels include all of {@code labels} and whose annotations
     * include all of {@code annotations} (empty: annotations are not checked).
     */
    record ExpectedAlert(Labels labels, Map<String, String> annotations) {
        ExpectedAlert {
            annotations = Map.copyOf(annotations);
        }
    }
}
