package io.vigil.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * rules.md: evaluation results do not depend on how records were spread or ordered within the grace. The first
 * instants too: a stream's first point is not necessarily its earliest.
 */
class ArrivalOrderTest {

    private static final String RULES = """
            groups:
              - name: t
                every: 10s
                rules:
                  - alert: Seen
                    series: m
                    aggregate: last
                    window: 1m
                    threshold: {above: 0}
            """;
    private static final String LATER = point("first", "2022-06-21T06:30:05Z");
    private static final String EARLIER = point("second", "2022-06-21T06:29:58Z");
    /** Ten minutes on: every instant before it is due. */
    private static final String TICK = "{\"name\":\"tick\",\"labels\":{},\"value\":1,\"timestamp\":\"2022-06-21T06:40:00Z\"}";

    @TempDir
    Path dir;

    @Test
    void anEarlierPointArrivingSecondWithinTheGraceGetsTheInstantItWouldHaveHadFirst() throws IOException {
        final List<String> inOrder = replay(List.of(EARLIER, LATER, TICK));
        final List<String> swapped = replay(List.of(LATER, EARLIER, TICK));

        assertThat(swapped).containsExactlyInAnyOrderElementsOf(inOrder);
        assertThat(inOrder).anyMatch(e -> e.contains("\"instance\":\"second\"") && e.contains("\"firing\"")
                && e.contains("\"activeAt\":\"2022-06-21T06:30:00Z\""));
    }

    private List<String> replay(final List<String> lines) throws IOException {
        return Backtest.eventJson(dir, RULES, lines);
    }

    private static String point(final String instance, final String time) {
        return "{\"name\":\"m\",\"labels\":{\"instance\":\"" + instance + "\"},\"value\":1,\"timestamp\":\"" + time + "\"}";
    }
}
