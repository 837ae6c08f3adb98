package io.vigil.evaluation;

import io.vigil.model.Series;
import io.vigil.rules.Rule;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * What the evaluators' stores say about alerts and rules right now, for the HTTP API. Reads the stores of this
 * instance only (Kafka Streams interactive queries hand them over); the API gathers the other instances' answers.
 */
public final class ActiveAlerts {

    /** An alert pending or firing; {@code labelNumbers} as {@link AlertTransition#labelNumbers}. */
    public record ActiveAlert(Rule rule, Series series, AlertStatus status, AlertNumbers numbers,
                              AlertNumbers labelNumbers) {
    }

    /** A rule's share of this instance: series it watches, its alerts by state, its last evaluation instant. */
    public record RuleState(int seriesWatched, int pending, int firing, long lastEvaluation) {
        public static final RuleState NONE = new RuleState(0, 0, 0, Long.MIN_VALUE);

        RuleState plus(final RuleState o) {
            return new RuleState(seriesWatched + o.seriesWatched, pending + o.pending, firing + o.firing,
                    Math.max(lastEvaluation, o.lastEvaluation));
        }
    }

    private ActiveAlerts() {
    }

    public static List<ActiveAlert> alerts(final ReadOnlyKeyValueStore<String, byte[]> seriesStore,
                                           final ReadOnlyKeyValueStore<String, byte[]> peerAlerts, final RuleIndex rules) {
        return alerts(seriesStore, peerAlerts, rules, Series::fromKey);
    }

    /**
     * The alerts pending or firing, read from the stores' views (the states with an alert) without their points and
     * baselines.
     *
     * @param seriesOfKey the series of a store key: {@link Series#fromKey}, or a cache of it (parsing the key was a
     *                    quarter of an API request's time in an alert storm)
     */
    public static List<ActiveAlert> alerts(final ReadOnlyKeyValueStore<String, byte[]> seriesStore,
                                           final ReadOnlyKeyValueStore<String, byte[]> peerAlerts, final RuleIndex rules,
                                           final Function<String, Series> seriesOfKey) {
        final List<ActiveAlert> out = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> it = seriesStore.all()) {
            while (it.hasNext()) {
                final KeyValue<String, byte[]> kv = it.next();
                if (kv.key.equals(SeriesStore.WATCHED_KEY)) {
                    continue;
                }
                final SeriesStateCodec.StoredAlerts state = SeriesStateCodec.decodeAlerts(kv.key, kv.value, seriesOfKey);
                // A rule's series limit alert is Vigil's own, under a key no series has.
                final boolean limit = SeriesBudget.isAlertKey(kv.key);
                for (Map.Entry<String, AlertStatusCodec.Stored> a : state.alerts().entrySet()) {
                    (limit ? Optional.of(SeriesBudget.ALERT_RULE) : rules.byId(a.getKey())).ifPresent(rule -> out.add(
                            new ActiveAlert(rule, state.series(), a.getValue().status(), a.getValue().numbers(),
                                    a.getValue().labelNumbers())));
                }
            }
        }
        try (KeyValueIterator<String, byte[]> it = peerAlerts.all()) {
            while (it.hasNext()) {
                final KeyValue<String, byte[]> kv = it.next();
                final PeerGroupEvaluator.PeerAlert alert = PeerGroupProcessor.decodeAlert(kv.value);
                final Optional<Rule> rule = rules.byId(kv.key.split("\u0000", 2)[0]);
                rule.ifPresent(r -> out.add(new ActiveAlert(r, alert.series(), alert.status(), alert.numbers(),
                        alert.labelNumbers())));
            }
        }
        return out;
    }

    /**
     * Per rule id: how many series it watches here, its alerts by state, and its last evaluation instant (the
     * slowest task's, so every series has been evaluated at it).
     */
    public static Map<String, RuleState> ruleStates(final ReadOnlyKeyValueStore<String, byte[]> seriesStore,
                                                    final ReadOnlyKeyValueStore<String, byte[]> progressStore,
                                                    final List<ActiveAlert> active, final RuleIndex rules,
                                                    final long graceMs) {
        final Map<String, RuleState> out = new HashMap<>();
        long evaluatedThrough = Long.MAX_VALUE;
        try (KeyValueIterator<String, byte[]> it = progressStore.all()) {
            while (it.hasNext()) {
                final KeyValue<String, byte[]> kv = it.next();
                if (kv.key.equals(SeriesEvaluationProcessor.EVALUATED_KEY)) {
                    evaluatedThrough = Math.min(evaluatedThrough, readLong(kv.value));
                }
            }
        }
        // Each task's count, under the same key in each task's store.
        try (KeyValueIterator<String, byte[]> it = seriesStore.range(SeriesStore.WATCHED_KEY, SeriesStore.WATCHED_KEY)) {
            while (it.hasNext()) {
                SeriesStore.decodeWatched(it.next().value).forEach((rule, watched) -> {
                    if (watched > 0 && rules.byId(rule).isPresent()) {
                        out.merge(rule, new RuleState(watched, 0, 0, Long.MIN_VALUE), RuleState::plus);
                    }
                });
            }
        }
        for (ActiveAlert a : active) {
            if (a.rule() == SeriesBudget.ALERT_RULE) {
                continue; // not a rule of the user's
            }
            final boolean firing = a.status().isFiring();
            out.merge(a.rule().id(), new RuleState(0, firing ? 0 : 1, firing ? 1 : 0, Long.MIN_VALUE), RuleState::plus);
        }
        if (evaluatedThrough != Long.MAX_VALUE && evaluatedThrough != Long.MIN_VALUE) {
            for (int i = 0; i < rules.ruleCount(); i++) {
                final Rule rule = rules.rule(i);
                final long last = TaskEvaluator.lastInstant(evaluatedThrough - graceMs, rule);
                out.merge(rule.id(), new RuleState(0, 0, 0, last), RuleState::plus);
            }
        }
        return out;
    }

    private static long readLong(final byte[] bytes) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            return in.readLong();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
