package io.vigil.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vigil.model.Labels;
import org.junit.jupiter.api.Test;

class AlertsQueryTest {

    private static final Labels NODE_07 = Labels.of("alertname", "CpuHigh", "instance", "node-07", "severity", "page");
    private static final Labels NODE_12 = Labels.of("alertname", "CpuHigh", "instance", "node-12", "severity", "ticket");

    private static AlertsQuery filter(final String filter) {
        return AlertsQuery.filter(filter, 0);
    }

    @Test
    void labelMatchersWithOrWithoutQuotes() {
        assertThat(filter("instance=\"node-07\"").matches(NODE_07)).isTrue();
        assertThat(filter("instance=node-07").matches(NODE_12)).isFalse();
        assertThat(filter("severity!=page").matches(NODE_12)).isTrue();
        assertThat(filter("instance=~\"node-0.\"").matches(NODE_07)).isTrue();
        assertThat(filter("instance=~node-0.").matches(NODE_12)).isFalse();
        assertThat(filter("instance!~node-0.").matches(NODE_12)).isTrue();
        // Anchored, as in PromQL: "node" alone matches no instance.
        assertThat(filter("instance=~node").matches(NODE_07)).isFalse();
        // An absent label has the value "".
        assertThat(filter("cluster=\"\"").matches(NODE_07)).isTrue();
    }

    @Test
    void everyTermMustMatchAndWordsMatchPartOfANameOrValue() {
        assertThat(filter("severity=page, instance=node-07").matches(NODE_07)).isTrue();
        assertThat(filter("severity=page instance=node-12").matches(NODE_12)).isFalse();
        assertThat(filter("node-1").matches(NODE_12)).isTrue();
        assertThat(filter("node-1").matches(NODE_07)).isFalse();
        assertThat(filter("sever").matches(NODE_07)).isTrue();
        assertThat(filter("").matches(NODE_07)).isTrue();
        assertThat(filter("  ,  ").words()).isEmpty();
    }

    @Test
    void aQuotedValueKeepsItsSeparatorsAndEscapes() {
        final Labels summary = Labels.of("summary", "a, \"b\" c");
        assertThat(filter("summary=\"a, \\\"b\\\" c\"").matches(summary)).isTrue();
        assertThat(filter("summary=\"a, \\\"b\\\" c\"").matchers()).hasSize(1);
    }

    @Test
    void theUrlsParametersAreDecodedAndPassedOnToOtherInstances() {
        final AlertsQuery q = AlertsQuery.parse("scope=local&match=instance%3D~%22node-0.%22+severity%3Dpage&per_rule=100");
        assertThat(q.perRule()).isEqualTo(100);
        assertThat(q.matchers()).hasSize(2);
        assertThat(q.matches(NODE_07)).isTrue();
        assertThat(AlertsQuery.parse(q.parameters().substring(1))).isEqualTo(q);
        assertThat(AlertsQuery.parse(null)).isEqualTo(AlertsQuery.ALL);
        assertThat(AlertsQuery.ALL.parameters()).isEmpty();
    }

    @Test
    void aBadParameterSaysWhatIsWrong() {
        assertThatThrownBy(() -> AlertsQuery.parse("match=instance%3D~%22node-(%22"))
                .isInstanceOf(AlertsQuery.BadQuery.class).hasMessageContaining("instance=~ has a bad regex");
        // 34 characters any local process or web page could send: RE2/J compiled them into a filled 2 GB heap.
        assertThatThrownBy(() -> AlertsQuery.parse("match=instance%3D~%22((a%7B1000%7D)%7B1000%7D)%7B100%7D%22"))
                .isInstanceOf(AlertsQuery.BadQuery.class)
                .hasMessage("match: instance=~ has a bad regex: expression too large");
        assertThatThrownBy(() -> AlertsQuery.parse("match=instance%3D%22node-07"))
                .isInstanceOf(AlertsQuery.BadQuery.class).hasMessageContaining("a quoted value is not closed");
        assertThatThrownBy(() -> AlertsQuery.parse("per_rule=0"))
                .isInstanceOf(AlertsQuery.BadQuery.class).hasMessage("per_rule must be a whole number above 0, not \"0\"");
        assertThatThrownBy(() -> AlertsQuery.parse("per_rule=lots"))
                .isInstanceOf(AlertsQuery.BadQuery.class).hasMessageContaining("not \"lots\"");
    }

    /** A bad escape escaped as an IllegalArgumentException, and the request got no answer. */
    @Test
    void aBadPercentEscapeIsABadQuery() {
        assertThatThrownBy(() -> AlertsQuery.parse("match=%zz"))
                .isInstanceOf(AlertsQuery.BadQuery.class)
                .hasMessage("match has a bad %-escape (a '%' must be followed by two hex digits; write %25 for '%')");
        assertThatThrownBy(() -> AlertsQuery.parse("per_rule=%"))
                .isInstanceOf(AlertsQuery.BadQuery.class).hasMessageStartingWith("per_rule has a bad %-escape");
    }
}
