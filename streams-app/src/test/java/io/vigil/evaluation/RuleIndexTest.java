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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.stream.IntStream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
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

    @Property(tries = 500)
    void findsWhatCheckingEveryRuleFinds(@ForAll("ruleSets") final RuleSet ruleSet,
                                         @ForAll("seriesLists") final List<Series> series) {
        final RuleIndex index = new RuleIndex(ruleSet);
        final List<Rule> rules = ruleSet.rules();
        for (Series s : series) {
            final int[] expected = IntStream.range(0, rules.size())
                    .filter(i -> rules.get(i).selector().matches(s)).toArray();
            final int[] actual = index.match(s);
            assertThat(actual).as("rules selecting %s", s).containsExactly(expected);
            Statistics.label("rules selecting a series").collect(Math.min(expected.length, 3));
        }
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

    @Provide
    Arbitrary<RuleSet> ruleSets() {
        final Arbitrary<SeriesSelector> selector = Combinators.combine(Arbitraries.of(METRICS),
                matchers().list().ofMaxSize(3)).as(SeriesSelector::new);
        return selector.list().ofMinSize(1).ofMaxSize(40).map(selectors -> {
            final List<Rule> rules = new ArrayList<>();
            for (SeriesSelector s : selectors) {
                rules.add(rule(s.metricName(), s.matchers().toArray(new LabelMatcher[0])));
            }
            // Several groups: rule order runs across them.
            final List<RuleGroup> groups = new ArrayList<>();
            for (int from = 0; from < rules.size(); from += 7) {
                groups.add(new RuleGroup("g" + from, Duration.ofSeconds(10),
                        renamed(rules.subList(from, Math.min(rules.size(), from + 7)), "g" + from), "test.yaml"));
            }
            return new RuleSet(groups);
        });
    }

    private static Arbitrary<LabelMatcher> matchers() {
        final Arbitrary<LabelMatcher> equality = Combinators.combine(Arbitraries.of(LABELS),
                Arbitraries.of(LabelMatcher.Type.EQUAL, LabelMatcher.Type.NOT_EQUAL), Arbitraries.of(VALUES))
                .as(RuleIndexTest::matcher);
        final Arbitrary<LabelMatcher> regex = Combinators.combine(Arbitraries.of(LABELS),
                Arbitraries.of(LabelMatcher.Type.REGEX, LabelMatcher.Type.NOT_REGEX), Arbitraries.of(REGEXES))
                .as(RuleIndexTest::matcher);
        // Equality matchers most often, as in real rule files; they are what the index files rules under.
        return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(3, equality), net.jqwik.api.Tuple.of(1, regex));
    }

    @Provide
    Arbitrary<List<Series>> seriesLists() {
        final Arbitrary<Labels> labels = Arbitraries.of(VALUES).list().ofSize(LABELS.size() - 1).map(values -> {
            final String[] pairs = new String[values.size() * 2];
            for (int i = 0; i < values.size(); i++) {
                pairs[2 * i] = LABELS.get(i);
                pairs[2 * i + 1] = values.get(i);
            }
            return Labels.of(pairs);
        });
        final Arbitrary<String> metric = Arbitraries.of("cpu", "mem", "net", "disk");
        return Combinators.combine(metric, labels).as(Series::new).list().ofMinSize(1).ofMaxSize(20);
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
