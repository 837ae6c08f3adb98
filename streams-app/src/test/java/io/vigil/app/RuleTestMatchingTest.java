package io.vigil.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.model.Labels;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** One-to-one matching of expected and firing alerts, and how both are printed when they differ. */
class RuleTestMatchingTest {

    private static RuleTestFile.ExpectedAlert expected(final String... labels) {
        return new RuleTestFile.ExpectedAlert(Labels.of(labels), Map.of());
    }

    private static RuleTestTimeline.FiringAlert firing(final String... labels) {
        return new RuleTestTimeline.FiringAlert(Labels.of(labels), Map.of("summary", "s"));
    }

    @Test
    void expectedLabelsAreASubsetOfTheFiringAlertsLabels() {
        assertThat(RuleTestMatching.oneToOne(List.of(expected("alertname", "A", "instance", "x")),
                List.of(firing("alertname", "A", "instance", "x", "severity", "page")))).isTrue();
        assertThat(RuleTestMatching.oneToOne(List.of(expected("alertname", "A", "instance", "y")),
                List.of(firing("alertname", "A", "instance", "x")))).isFalse();
    }

    @Test
    void noneExpectedMatchesOnlyNoneFiring() {
        assertThat(RuleTestMatching.oneToOne(List.of(), List.of())).isTrue();
        assertThat(RuleTestMatching.oneToOne(List.of(), List.of(firing("alertname", "A")))).isFalse();
    }

    @Test
    void everyFiringAlertMustBeExpectedAndEachOnlyOnce() {
        final List<RuleTestTimeline.FiringAlert> two = List.of(firing("alertname", "A", "instance", "x"),
                firing("alertname", "A", "instance", "y"));
        assertThat(RuleTestMatching.oneToOne(List.of(expected("alertname", "A")), two)).isFalse();
        assertThat(RuleTestMatching.oneToOne(List.of(expected("alertname", "A"), expected("alertname", "A")), two))
                .isTrue();
    }

    @Test
    void overlappingExpectationsFindThePairingThatWorks() {
        // Greedy would give {alertname="A"} the first alert (x) and leave {instance="x"} nothing.
        final List<RuleTestFile.ExpectedAlert> expected = List.of(expected("alertname", "A"),
                expected("alertname", "A", "instance", "x"));
        final List<RuleTestTimeline.FiringAlert> firing = List.of(firing("alertname", "A", "instance", "x"),
                firing("alertname", "A", "instance", "y"));
        assertThat(RuleTestMatching.oneToOne(expected, firing)).isTrue();
    }

    @Test
    void annotationsWhenGivenMustMatchToo() {
        final RuleTestFile.ExpectedAlert right = new RuleTestFile.ExpectedAlert(Labels.of("alertname", "A"),
                Map.of("summary", "s"));
        final RuleTestFile.ExpectedAlert wrong = new RuleTestFile.ExpectedAlert(Labels.of("alertname", "A"),
                Map.of("summary", "other"));
        assertThat(RuleTestMatching.matches(right, firing("alertname", "A"))).isTrue();
        assertThat(RuleTestMatching.matches(wrong, firing("alertname", "A"))).isFalse();
    }

    @Test
    void bothSidesPrintSortedInPromqlNotationWithAnnotationsOnlyWhenChecked() {
        final List<RuleTestTimeline.FiringAlert> firing = List.of(firing("alertname", "B", "instance", "y"),
                firing("alertname", "A", "instance", "x"));
        assertThat(RuleTestMatching.describeFiring(firing, List.of(expected("alertname", "A"))))
                .isEqualTo("[{alertname=\"A\", instance=\"x\"}, {alertname=\"B\", instance=\"y\"}]");
        final List<RuleTestFile.ExpectedAlert> withAnnotations = List.of(new RuleTestFile.ExpectedAlert(
                Labels.of("alertname", "A"), Map.of("summary", "say \"hi\"")));
        assertThat(RuleTestMatching.describeExpected(withAnnotations))
                .isEqualTo("[{alertname=\"A\"} annotations {summary=\"say \\\"hi\\\"\"}]");
        assertThat(RuleTestMatching.describeFiring(firing.subList(0, 1), withAnnotations))
                .isEqualTo("[{alertname=\"B\", instance=\"y\"} annotations {summary=\"s\"}]");
        assertThat(RuleTestMatching.describeExpected(List.of())).isEqualTo("[]");
    }
}
