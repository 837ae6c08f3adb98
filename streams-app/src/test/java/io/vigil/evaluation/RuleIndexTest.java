package io.vigil.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.model.Labels;
import io.vigil.model.Series;
import io.vigil.rules.Aggregate;
import io.vigil.rules.Condition;
import io.vigil.rules.LabelMatcher;
import io.vigil.rules.Rule;
import io.vigil.rules.RuleGroup;
import io.vigil.rules.RuleSet;
import io.vigil.rules.SeriesSelector;
import io.vigil.testing.Gen;
import io.vigil.testing.Tries;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The index finds exactly the rules a look at every rule finds, in rule order: checked on generated rule sets and
 * series over a few metric names, labels and values, so that rules share metrics and equality matchers, and every
 * kind of matcher (including {@code =""}, which an absent label satisfies) meets series that have and lack its label.
 */
class RuleIndexTest {

    private static final List<String> METRICS = List.of("cpu", "mem", "net");
    private static final List<String> LABELS = List.of("cluster", "job", "instance", "zone");
    private static final List<String> VALUES = List.of("", "a", "b", "c");
    private static final List<String> REGEXES = List.of("", "a", "a|b", ".*", ".+", "b.*");

    @Test
    void findsWhatCheckingEveryRuleFinds() {
        final Tries.Tally selecting = new Tries.Tally();
        Tries.run(0x1D3_0001L, 500, r -> new Case(ruleSet(r), seriesList(r)), c -> {
            final RuleIndex index = new RuleIndex(c.ruleSet());
            final List<Rule> rules = c.ruleSet().rules();
            for (Series s : c.series()) {
                final int[] expected = IntStream.range(0, rules.size())
                        .filter(i -> rules.get(i).selector().matches(s)).toArray();
                final int[] actual = index.match(s);
                assertThat(actual).as("rules selecting %s", s).containsExactly(expected);
                selecting.add(Math.min(expected.length, 3));
            }
        });
        System.out.println("rules selecting a series (3: 3 or more): " + selecting);
    }

    @Test
    void findsTheRulesOfEachBucketInRuleOrder() {
        final RuleSet ruleSet = ruleSet(
                rule("cpu", matcher("job", LabelMatcher.Type.EQUAL, "node")),
                rule("cpu", matcher("cluster", LabelMatcher.Type.EQUAL, "backend")),
                rule("cpu", matcher("cluster", LabelMatcher.Type.EQUAL, "frontend")),
                rule("cpu", matcher("instance", LabelMatcher.Type.REGEX, "node-.*")),
                rule("mem", matcher("cluster", LabelMatcher.Type.EQUAL, "backend")),
                rule("cpu", matcher("cluster", LabelMatcher.Type.EQUAL, "backend"),
                        matcher("job", LabelMatcher.Type.NOT_EQUAL, "node")));
        final RuleIndex index = new RuleIndex(ruleSet);

        assertThat(index.match(new Series("cpu", Labels.of("cluster", "backend", "job", "node", "instance", "node-1"))))
                .containsExactly(0, 1, 3);
        assertThat(index.match(new Series("cpu", Labels.of("cluster", "backend", "job", "api"))))
                .containsExactly(1, 5);
        assertThat(index.match(new Series("disk", Labels.of("cluster", "backend")))).isEmpty();
    }

    @Test
    void anEmptyRequiredValueSelectsSeriesWithoutTheLabel() {
        final RuleIndex index = new RuleIndex(ruleSet(
                rule("cpu", matcher("zone", LabelMatcher.Type.EQUAL, "")),
                rule("cpu", matcher("zone", LabelMatcher.Type.EQUAL, "eu"))));

        assertThat(index.match(new Series("cpu", Labels.of("instance", "n1")))).containsExactly(0);
        assertThat(index.match(new Series("cpu", Labels.of("zone", "eu")))).containsExactly(1);
    }

    /**
     * A metric's points are late by the steps of the groups whose rules name it, but for a step dividing another
     * (each of its instants is the other's too); a metric no rule names has none.
     */
    @Test
    void aMetricsStepsAreThoseOfItsGroupsThatDivideNoOther() {
        final RuleIndex index = new RuleIndex(new RuleSet(List.of(group(10, "cpu", "mem"), group(15, "cpu", "net"),
                group(30, "cpu", "net"), group(60, "mem"))));

        assertThat(index.stepsMs("cpu")).containsExactly(30_000);
        assertThat(index.stepsMs("mem")).containsExactly(60_000);
        assertThat(index.stepsMs("net")).containsExactly(30_000);
        assertThat(new RuleIndex(new RuleSet(List.of(group(10, "cpu"), group(15, "cpu")))).stepsMs("cpu"))
                .containsExactlyInAnyOrder(10_000, 15_000);
        assertThat(index.stepsMs("disk")).isEmpty();
    }

    private static RuleGroup group(final int everySeconds, final String... metrics) {
        final Duration every = Duration.ofSeconds(everySeconds);
        final List<Rule> rules = new ArrayList<>();
        for (String metric : metrics) {
            final Rule r = rule(metric);
            rules.add(new Rule("g" + everySeconds, metric, r.selector(), r.aggregate(), r.window(), every,
                    r.condition(), r.forDuration(), r.keepFiringFor(), r.labels(), r.annotations(), r.sourceFile(),
                    r.line()));
        }
        return new RuleGroup("g" + everySeconds, every, rules, "test.yaml");
    }

    /** Rules and the series they are looked up for. */
    private record Case(RuleSet ruleSet, List<Series> series) {
        @Override
        public String toString() {
            return "rules " + ruleSet.rules().stream().map(Rule::selector).toList() + ", series " + series;
        }
    }

    /** 1 to 40 rules (mostly up to about 23), in groups of seven, each on one of the metrics with up to 3 matchers. */
    private static RuleSet ruleSet(final Random r) {
        final List<Rule> rules = Gen.list(r, Gen.size(r, 1, 40, 500),
                random -> rule(Gen.pick(random, METRICS), Gen.list(random, 0, 3, RuleIndexTest::matcher)
                        .toArray(new LabelMatcher[0])));
        // Several groups: rule order runs across them.
        final List<RuleGroup> groups = new ArrayList<>();
        for (int from = 0; from < rules.size(); from += 7) {
            groups.add(new RuleGroup("g" + from, Duration.ofSeconds(10),
                    renamed(rules.subList(from, Math.min(rules.size(), from + 7)), "g" + from), "test.yaml"));
        }
        return new RuleSet(groups);
    }

    private static LabelMatcher matcher(final Random r) {
        // Equality matchers most often, as in real rule files; they are what the index files rules under.
        return Gen.weighted(r, 3, 1) == 0
                ? matcher(Gen.pick(r, LABELS), Gen.pick(r, LabelMatcher.Type.EQUAL, LabelMatcher.Type.NOT_EQUAL),
                        Gen.pick(r, VALUES))
                : matcher(Gen.pick(r, LABELS), Gen.pick(r, LabelMatcher.Type.REGEX, LabelMatcher.Type.NOT_REGEX),
                        Gen.pick(r, REGEXES));
    }

    /** 1 to 20 series of the rules' metrics and one more, each with a value (maybe empty) for all labels but one. */
    private static List<Series> seriesList(final Random r) {
        return Gen.list(r, 1, 20, random -> {
            final String[] pairs = new String[(LABELS.size() - 1) * 2];
            for (int i = 0; i < LABELS.size() - 1; i++) {
                pairs[2 * i] = LABELS.get(i);
                pairs[2 * i + 1] = Gen.pick(random, VALUES);
            }
            return new Series(Gen.pick(random, "cpu", "mem", "net", "disk"), Labels.of(pairs));
        });
    }

    private static LabelMatcher matcher(final String name, final LabelMatcher.Type type, final String value) {
        return LabelMatcher.of(name, type, value);
    }

    private static Rule rule(final String metric, final LabelMatcher... matchers) {
        return new Rule("g", "R", new SeriesSelector(metric, List.of(matchers)), Aggregate.AVG, Duration.ofMinutes(1),
                Duration.ofSeconds(10), new Condition.Threshold(true, 90, OptionalDouble.empty()), Duration.ZERO,
                Duration.ZERO, Map.of(), Map.of(), "test.yaml", 1);
    }

    /** Unique ids within a group, as the loader guarantees. */
    private static List<Rule> renamed(final List<Rule> rules, final String group) {
        final List<Rule> out = new ArrayList<>();
        for (int i = 0; i < rules.size(); i++) {
            final Rule r = rules.get(i);
            out.add(new Rule(group, "R" + i, r.selector(), r.aggregate(), r.window(), r.every(), r.condition(),
                    r.forDuration(), r.keepFiringFor(), r.labels(), r.annotations(), r.sourceFile(), r.line()));
        }
        return out;
    }

    private static RuleSet ruleSet(final Rule... rules) {
        return new RuleSet(List.of(new RuleGroup("g", Duration.ofSeconds(10), renamed(List.of(rules), "g"),
                "test.yaml")));
    }
}
