package io.vigil.app;

import io.vigil.alerts.AlertEvent;
import io.vigil.alerts.AlertEventJson;
import io.vigil.rules.RuleLoader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A test's backtest: rule text and input lines written to a directory, replayed, the events collected. */
final class Backtest {

    private Backtest() {
    }

    /** The events' JSON, in the order replay emits them. */
    static List<String> eventJson(final Path dir, final String rules, final List<String> lines) throws IOException {
        final Path ruleFile = Files.writeString(dir.resolve("rules.yaml"), rules);
        final Path input = Files.write(dir.resolve("input.jsonl"), lines);
        final List<String> events = new ArrayList<>();
        Replay.run(RuleLoader.load(List.of(ruleFile)).ruleSet(), ConfigLoader.load(null, Map.of()), List.of(input),
                json -> events.add(new String(json, StandardCharsets.UTF_8)));
        return events;
    }

    /** The events, read back. */
    static List<AlertEvent> events(final Path dir, final String rules, final List<String> lines) throws IOException {
        return eventJson(dir, rules, lines).stream()
                .map(json -> AlertEventJson.read(json.getBytes(StandardCharsets.UTF_8))).toList();
    }
}
