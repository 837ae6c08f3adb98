package io.vigil.app;

import io.vigil.model.Labels;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Whether the alerts a test expects are exactly the alerts firing: one to one, each expected alert matching a
 * distinct firing one (its labels, and annotations when given, a subset of the firing alert's), and no firing alert
 * left over. Expected alerts may overlap ({@code {alertname="A"}} and {@code {alertname="A", instance="x"}}), so the
 * pairing is a bipartite matching, not a greedy one.
 */
final class RuleTestMatching {

    private RuleTestMatching() {
    }

    static boolean oneToOne(final List<RuleTestFile.ExpectedAlert> expected,
                            final List<RuleTestTimeline.FiringAlert> firing) {
        if (expected.size() != firing.size()) {
            return false;
        }
        // Kuhn's augmenting paths: tests list a handful of alerts, so O(n^3) is nothing.
        final int[] expectedOfFiring = new int[firing.size()];
        Arrays.fill(expectedOfFiring, -1);
        for (int e = 0; e < expected.size(); e++) {
            if (!augment(e, expected, firing, expectedOfFiring, new boolean[firing.size()])) {
                return false;
            }
        }
        return true;
    }

    private static boolean augment(final int e, final List<RuleTestFile.ExpectedAlert> expected,
                                   final List<RuleTestTimeline.FiringAlert> firing, final int[] expectedOfFiring,
                                   final boolean[] visited) {
        for (int f = 0; f < firing.size(); f++) {
            if (visited[f] || !matches(expected.get(e), firing.get(f))) {
                continue;
            }
            visited[f] = true;
            if (expectedOfFiring[f] < 0 || augment(expectedOfFiring[f], expected, firing, expectedOfFiring, visited)) {
                expectedOfFiring[f] = e;
                return true;
            }
        }
        return false;
    }

    static boolean matches(final RuleTestFile.ExpectedAlert expected, final RuleTestTimeline.FiringAlert firing) {
        for (int i = 0; i < expected.labels().size(); i++) {
            if (!firing.labels().get(expected.labels().name(i)).equals(expected.labels().value(i))) {
                return false;
            }
        }
        for (final Map.Entry<String, String> a : expected.annotations().entrySet()) {
            if (!a.getValue().equals(firing.annotations().get(a.getKey()))) {
                return false;
            }
        }
        return true;
    }

    /** {@code [{alertname="A", instance="x"}, ...]}, sorted; annotations follow the labels when given. */
    static String describeExpected(final List<RuleTestFile.ExpectedAlert> expected) {
        return sortedList(expected, a -> describe(a.labels(), a.annotations()));
    }

    /** As {@link #describeExpected}; annotations are shown only when the expectation checks some. */
    static String describeFiring(final List<RuleTestTimeline.FiringAlert> firing,
                                 final List<RuleTestFile.ExpectedAlert> expected) {
        final boolean withAnnotations = expected.stream().anyMatch(a -> !a.annotations().isEmpty());
        return sortedList(firing, a -> describe(a.labels(), withAnnotations ? a.annotations() : Map.of()));
    }

    private static String describe(final Labels labels, final Map<String, String> annotations) {
        // Labels prints PromQL's notation, sorted and escaped; annotations read best the same way.
        return annotations.isEmpty() ? labels.toString() : labels + " annotations " + Labels.of(annotations);
    }

    private static <T> String sortedList(final List<T> items, final Function<T, String> describe) {
        return items.stream().map(describe).sorted().toList().toString();
    }
}
