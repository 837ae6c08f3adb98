package io.vigil.app;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vigil.alerts.AlertEvent;
import io.vigil.alerts.AlertEventFactory;
import io.vigil.evaluation.ActiveAlerts;
import io.vigil.evaluation.AlertTransition;
import io.vigil.evaluation.LiveRules;
import io.vigil.evaluation.PeerGroupProcessor;
import io.vigil.evaluation.RuleIndex;
import io.vigil.evaluation.SeriesEvaluationProcessor;
import io.vigil.evaluation.SeriesQuestions;
import io.vigil.model.DurationSyntax;
import io.vigil.model.Labels;
import io.vigil.model.Series;
import io.vigil.rules.Rule;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * {@code /api/alerts}, {@code /api/rules} and {@code /api/series}. Each instance reads its own state stores
 * (interactive queries); asked for everything, it also asks every other instance of the application for theirs
 * ({@code ?scope=local}), all at once, found through Kafka Streams' metadata ({@code application.server}), so any
 * instance answers for all.
 */
final class AlertsApi {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration PEER_TIMEOUT = Duration.ofSeconds(5);
    /** How long an answer of {@code /api/series} waits for the evaluation tasks: they answer between records. */
    private static final Duration QUESTION_WAIT = Duration.ofSeconds(3);
    private static final long SCAN_REUSE_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(1);
    /** The stores the API reads: the series' states and their tasks' progress, and the peer stage's alerts. */
    static final Set<String> READ_STORES = Set.of(SeriesEvaluationProcessor.SERIES_STORE,
            SeriesEvaluationProcessor.PROGRESS_STORE, PeerGroupProcessor.ALERTS_STORE);

    private final KafkaStreams streams;
    private final StoreCoverage coverage;
    private final SeriesQuestions questions;
    private final LiveRules rules;
    private final AlertEventFactory events;
    private final long graceMs;
    private final HostInfo self;
    private final PeerClient peers;
    /** The other instances that gave no answer lately, over every answer this instance gives. */
    private final SilentPeers silent = new SilentPeers(java.time.Clock.systemUTC());
    /** The last read of this instance's stores ({@link #localActive}), and the series of its keys. */
    private Scan lastScan;
    private Map<String, Series> seriesByKey = new HashMap<>();

    private record Scan(long atNanos, RuleIndex rules, List<ActiveAlerts.ActiveAlert> alerts) {
    }

    AlertsApi(final VigilEngine engine, final LiveRules rules, final AlertEventFactory events, final long graceMs,
              final HostInfo self) {
        this(engine, rules, events, graceMs, self, java.util.Optional.empty());
    }

    /**
     * @param engine the engine whose stores, tasks and their coverage it reads
     * @param token  the bearer token every instance's API requires, when set; sent to the other instances too
     */
    AlertsApi(final VigilEngine engine, final LiveRules rules, final AlertEventFactory events, final long graceMs,
              final HostInfo self, final java.util.Optional<String> token) {
        this.peers = new PeerClient(PEER_TIMEOUT, token);
        this.questions = engine.questions();
        this.coverage = engine.storeCoverage();
        this.streams = engine.streams();
        this.rules = rules;
        this.events = events;
        this.graceMs = graceMs;
        this.self = self;
    }

    /**
     * Active alerts as JSON, those {@code query} asks for: an array sorted by rule, firing first, then labels; or, when
     * it asks for at most so many per rule, {@code {"alerts": [...], "more": {rule: {"firing": F, "pending": P}}}}
     * with the alerts left out counted by rule.
     */
    String alerts(final boolean localOnly, final AlertsQuery query, final MissingShares missing) throws IOException {
        requireOwnAddress();
        final Map<String, Count> more = new TreeMap<>();
        final List<Ranked<Map<String, Object>>> all = new ArrayList<>();
        missing.own(self, () -> localAlerts(query, more), List.<Map<String, Object>>of()).forEach(a -> all.add(ranked(a)));
        if (!localOnly) {
            for (String answer : missing.shares(peers, silent, otherInstances(),
                    "/api/alerts?scope=local" + query.parameters())) {
                if (query.perRule() == 0) {
                    JSON.readValue(answer, new TypeReference<List<Map<String, Object>>>() { }).forEach(a -> all.add(ranked(a)));
                } else {
                    final CappedAlerts theirs = JSON.readValue(answer, CappedAlerts.class);
                    theirs.alerts().forEach(a -> all.add(ranked(a)));
                    theirs.more().forEach((rule, n) -> more.merge(rule, n, Count::plus));
                }
            }
        }
        final List<Map<String, Object>> kept = firstOfEachRule(all, query.perRule(), more);
        if (query.perRule() == 0) {
            return JSON.writeValueAsString(kept);
        }
        return JSON.writeValueAsString(new CappedAlerts(kept, more));
    }

    /** An alert with what orders it in an answer: its rule, firing before pending, then its labels. */
    private record Ranked<T>(String rule, boolean firing, String labels, T alert) {
    }

    private static Ranked<Map<String, Object>> ranked(final Map<String, Object> a) {
        return new Ranked<>((String) a.get("rule"), "firing".equals(a.get("state")), String.valueOf(a.get("labels")), a);
    }

    /**
     * The alerts in order, at most {@code perRule} of each rule (0: all), the rest counted into {@code more} by rule.
     */
    private static <T> List<T> firstOfEachRule(final List<Ranked<T>> alerts, final int perRule,
                                               final Map<String, Count> more) {
        alerts.sort(Comparator.comparing((Ranked<T> a) -> a.rule()).thenComparing(a -> !a.firing())
                .thenComparing(Ranked::labels));
        final List<T> kept = new ArrayList<>();
        String rule = null;
        int ofRule = 0;
        for (Ranked<T> a : alerts) {
            ofRule = a.rule().equals(rule) ? ofRule + 1 : 1;
            rule = a.rule();
            if (perRule == 0 || ofRule <= perRule) {
                kept.add(a.alert());
            } else {
                more.merge(rule, a.firing() ? new Count(1, 0) : new Count(0, 1), Count::plus);
            }
        }
        return kept;
    }

    /** The answer to a query with {@code per_rule}: the alerts kept, and the ones left out counted by rule. */
    record CappedAlerts(List<Map<String, Object>> alerts, Map<String, Count> more) {
    }

    /** Alerts of one rule left out of an answer, by state. */
    record Count(int firing, int pending) {

        Count plus(final Count other) {
            return new Count(firing + other.firing, pending + other.pending);
        }
    }

    /** Every rule with its definition and its state summed over all instances. */
    String rules(final boolean localOnly, final MissingShares missing) throws IOException {
        requireOwnAddress();
        final Map<String, Map<String, Object>> byRule = new TreeMap<>();
        final RuleIndex index = rules.current();
        for (int i = 0; i < index.ruleCount(); i++) {
            final Rule r = index.rule(i);
            final Map<String, Object> m = new LinkedHashMap<>();
            m.put("rule", r.id());
            m.put("group", r.group());
            m.put("alert", r.alert());
            m.put("kind", r.condition().kind());
            m.put("series", r.selector().toString());
            m.put("aggregate", r.aggregate().yamlName());
            m.put("window", DurationSyntax.format(r.window()));
            m.put("every", DurationSyntax.format(r.every()));
            m.put("for", DurationSyntax.format(r.forDuration()));
            m.put("source", r.sourceFile() + ":" + r.line());
            m.put("seriesWatched", 0);
            m.put("pending", 0);
            m.put("firing", 0);
            m.put("lastEvaluation", null);
            byRule.put(r.id(), m);
        }
        final List<Map<String, Object>> states = new ArrayList<>(missing.own(self, this::localRuleStates, List.of()));
        if (!localOnly) {
            for (String share : missing.shares(peers, silent, otherInstances(), "/api/rules?scope=local")) {
                states.addAll(JSON.readValue(share, new TypeReference<List<Map<String, Object>>>() { }));
            }
        }
        for (Map<String, Object> s : states) {
            final Map<String, Object> m = byRule.get((String) s.get("rule"));
            if (m == null) {
                continue;
            }
            for (String count : List.of("seriesWatched", "pending", "firing")) {
                m.put(count, ((Number) m.get(count)).intValue() + ((Number) s.get(count)).intValue());
            }
            final Object last = s.get("lastEvaluation");
            if (last != null && (m.get("lastEvaluation") == null || ((String) last).compareTo((String) m.get("lastEvaluation")) < 0)) {
                m.put("lastEvaluation", last);
            }
        }
        for (Map<String, Object> m : byRule.values()) {
            m.put("state", ((Number) m.get("firing")).intValue() > 0 ? "firing"
                    : ((Number) m.get("pending")).intValue() > 0 ? "pending" : "inactive");
        }
        return JSON.writeValueAsString(localOnly ? states : new ArrayList<>(byRule.values()));
    }

    /**
     * What the rules make of the series {@code query} matches, each pair of rule and series as its next evaluation
     * will judge it with the points received so far ({@link io.vigil.evaluation.SeriesExplanation}): at most its
     * limit, firing first, then pending, then by rule and series; {@code matched} counts every match, and
     * {@code unanswered} names the tasks that did not answer within {@link #QUESTION_WAIT} (their part is missing).
     * Each instance asks its own tasks; an outlier is judged by the peer stage, which may be another instance's, and
     * is set from it once the answers are together.
     */
    String series(final boolean localOnly, final SeriesQuery parsed, final MissingShares missing) throws IOException {
        requireOwnAddress();
        if (!localOnly && !parsed.rule().isEmpty() && rules.current().byId(parsed.rule()).isEmpty()) {
            // An empty answer would read as a rule that watches no series. Not asked of a peer's share: during a
            // reload the instances may hold different rules for a moment.
            throw new AlertsQuery.BadQuery("rule: no rule '" + parsed.rule() + "' is loaded (GROUP/ALERT, as /api/rules"
                    + " names each rule)");
        }
        final SeriesQuery asked = parsed.besideRuleLabels(rules.current());
        if (localOnly && asked.outliersOnly()) {
            return JSON.writeValueAsString(new SeriesShare(List.of(), 0, List.of(), localOutlierAlerts(asked),
                    List.of()));
        }
        final SeriesQuery query = localOnly ? asked : asked.promoting(outlierAlerts(asked, missing));
        final SeriesShare mine = missing.own(self, () -> localSeries(query),
                new SeriesShare(List.of(), 0, List.of(), List.of(), List.of()));
        final RuleIndex index = rules.current();
        if (localOnly) {
            // Its own outliers set too, for whoever reads a share; the peer stage's part kept for the instance merging.
            final SeriesShare merged = SeriesShare.merge(List.of(mine), query, index::byId);
            return JSON.writeValueAsString(new SeriesShare(merged.series(), merged.matched(), merged.unanswered(),
                    mine.outlierAlerts(), mine.peerGroups()));
        }
        final List<SeriesShare> shares = new ArrayList<>(List.of(mine));
        for (String share : missing.shares(peers, silent, otherInstances(),
                "/api/series?scope=local" + query.parameters())) {
            shares.add(JSON.readValue(share, SeriesShare.class));
        }
        final SeriesShare merged = SeriesShare.merge(shares, query, index::byId);
        // An instance that did not answer is named with the tasks that did not: its series are missing alike.
        final List<String> notAnswered = new ArrayList<>(merged.unanswered());
        missing.names().stream().filter(m -> !notAnswered.contains(m)).forEach(notAnswered::add);
        return JSON.writeValueAsString(new SeriesShare(merged.series(), merged.matched(), notAnswered, null, null));
    }

    /**
     * This instance's share of {@code /api/series}: its tasks' answers, and its peer stage's outlier alerts and group
     * judgments.
     *
     * @throws org.apache.kafka.streams.errors.InvalidStateStoreException where a task it holds is still restoring: it
     *         holds no inbox yet, and its series would be missing unnamed
     */
    private SeriesShare localSeries(final SeriesQuery query) throws IOException {
        coverage.requireWhole();
        final SeriesQuestions.Answer local;
        try {
            local = questions.ask(query, query.limit(), QUESTION_WAIT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while asking the evaluation tasks");
        }
        final List<Map<String, Object>> entries = new ArrayList<>();
        local.kept().forEach(e -> entries.add(SeriesExplanationJson.of(e)));
        final List<String> unanswered = new ArrayList<>();
        local.unanswered().forEach(task -> unanswered.add("task " + task + " of " + self.host() + ":" + self.port()));
        return new SeriesShare(entries, local.matched(), unanswered,
                localOutlierAlerts(query), local.groups().stream().map(SeriesShare::group).toList());
    }

    /** The outlier alerts pending or firing that {@code query} asks about, in every instance's peer stage. */
    private List<Map<String, Object>> outlierAlerts(final SeriesQuery query, final MissingShares missing)
            throws IOException {
        final List<Map<String, Object>> out = new ArrayList<>(missing.own(self, () -> localOutlierAlerts(query),
                List.of()));
        for (String share : missing.shares(peers, silent, otherInstances(), "/api/series?scope=local"
                + query.outlierAlertsOnly().parameters())) {
            out.addAll(JSON.readValue(share, SeriesShare.class).outlierAlerts());
        }
        return out;
    }

    /** The outlier alerts pending or firing in this instance's peer stage that {@code query} asks about. */
    private List<Map<String, Object>> localOutlierAlerts(final SeriesQuery query) {
        final List<Map<String, Object>> out = new ArrayList<>();
        for (ActiveAlerts.ActiveAlert a : localActive()) {
            if (a.rule().condition() instanceof io.vigil.rules.Condition.Outlier
                    && query.matches(a.series(), a.rule())) {
                final Map<String, Object> m = new LinkedHashMap<>();
                m.put("rule", a.rule().id());
                m.put("labels", new TreeMap<>(a.series().labels().with("__name__", a.series().name()).toMap()));
                m.put("state", a.status().isFiring() ? "firing" : "pending");
                m.put("activeAt", ApiJson.time(a.status().activeAt()));
                m.put("startsAt", a.status().isFiring() ? ApiJson.time(a.status().firedAt()) : null);
                m.put("median", ApiJson.number(a.numbers().median()));
                m.put("z", ApiJson.number(a.numbers().z()));
                out.add(m);
            }
        }
        return out;
    }

    /**
     * This instance's alerts pending or firing, read from its stores at most once a {@link #SCAN_REUSE_NANOS}: the page
     * asks for rules and alerts together, every open page every 5 s, and in a storm of 20,000 alerts each read took
     * 0.2 to 0.4 s of CPU, beside the stream threads.
     */
    private synchronized List<ActiveAlerts.ActiveAlert> localActive() {
        final RuleIndex index = rules.current();
        final long now = System.nanoTime();
        if (lastScan != null && lastScan.rules() == index && now - lastScan.atNanos() < SCAN_REUSE_NANOS) {
            return lastScan.alerts();
        }
        // The series of the alerting keys, kept from one read to the next: parsing a key is not cheap, and the same
        // alerts stay active across reads. Only those still active are kept.
        final Map<String, Series> before = seriesByKey;
        final Map<String, Series> active = new HashMap<>();
        final List<ActiveAlerts.ActiveAlert> alerts = ActiveAlerts.alerts(store(SeriesEvaluationProcessor.SERIES_STORE),
                store(PeerGroupProcessor.ALERTS_STORE), index, key -> active.computeIfAbsent(key, k -> {
                    final Series known = before.get(k);
                    return known != null ? known : Series.fromKey(k);
                }));
        seriesByKey = active;
        lastScan = new Scan(now, index, alerts);
        return alerts;
    }

    /**
     * This instance's alerts that {@code query} asks for, cut as it asks (the rest counted into {@code more}). Only
     * the alerts kept are made into events: in a storm, most are counted and never rendered.
     */
    private List<Map<String, Object>> localAlerts(final AlertsQuery query, final Map<String, Count> more) {
        final List<Ranked<AlertTransition>> matching = new ArrayList<>();
        for (ActiveAlerts.ActiveAlert a : localActive()) {
            final boolean firing = a.status().isFiring();
            final AlertTransition t = new AlertTransition(a.rule(), a.series(),
                    firing ? AlertTransition.Kind.FIRING : AlertTransition.Kind.PENDING, a.status(),
                    a.numbers().value(), a.numbers().median(), a.numbers().z(), java.util.Optional.empty(), a.labelNumbers());
            final Labels labels = events.labels(t);
            if (query.matches(labels)) {
                matching.add(new Ranked<>(a.rule().id(), firing, labels.toMap().toString(), t));
            }
        }
        final List<Map<String, Object>> out = new ArrayList<>();
        for (AlertTransition t : firstOfEachRule(matching, query.perRule(), more)) {
            final AlertEvent e = events.create(t);
            final Map<String, Object> m = new LinkedHashMap<>();
            m.put("fingerprint", e.fingerprint());
            m.put("rule", e.rule());
            m.put("state", e.status().jsonName());
            m.put("labels", e.labels().toMap());
            m.put("annotations", e.annotations());
            m.put("activeAt", e.activeAt().toString());
            m.put("startsAt", e.startsAt().map(Instant::toString).orElse(null));
            m.put("value", ApiJson.number(t.value()));
            m.put("median", ApiJson.number(t.median()));
            m.put("z", ApiJson.number(t.z()));
            m.put("generatorURL", e.generatorURL());
            out.add(m);
        }
        return out;
    }

    /**
     * The series each rule in force watches on this instance, 0 for none.
     *
     * @throws org.apache.kafka.streams.errors.InvalidStateStoreException while the stores cannot be read (starting,
     *         rebalancing)
     */
    Map<String, Integer> localSeriesWatched() {
        final RuleIndex index = rules.current();
        final Map<String, Integer> out = new TreeMap<>();
        for (int i = 0; i < index.ruleCount(); i++) {
            out.put(index.rule(i).id(), 0);
        }
        ActiveAlerts.ruleStates(store(SeriesEvaluationProcessor.SERIES_STORE), store(SeriesEvaluationProcessor.PROGRESS_STORE),
                List.of(), index, graceMs).forEach((rule, s) -> out.computeIfPresent(rule, (r, n) -> s.seriesWatched()));
        return out;
    }

    private List<Map<String, Object>> localRuleStates() {
        final RuleIndex index = rules.current();
        final List<ActiveAlerts.ActiveAlert> active = localActive();
        final List<Map<String, Object>> out = new ArrayList<>();
        ActiveAlerts.ruleStates(store(SeriesEvaluationProcessor.SERIES_STORE), store(SeriesEvaluationProcessor.PROGRESS_STORE),
                active, index, graceMs).forEach((rule, s) -> {
                    final Map<String, Object> m = new LinkedHashMap<>();
                    m.put("rule", rule);
                    m.put("seriesWatched", s.seriesWatched());
                    m.put("pending", s.pending());
                    m.put("firing", s.firing());
                    m.put("lastEvaluation", ApiJson.time(s.lastEvaluation()));
                    out.add(m);
                });
        return out;
    }

    /**
     * This instance's share of a store: empty where it holds none of the store's tasks. An instance holds none for
     * about ten minutes after it joins (Kafka Streams gives it warm-up copies until they have caught up), and for good
     * where there are more instances than tasks; its peers answer for the rest. Asking for the store there failed, and
     * every peer's answer with it: a deploy blinded the API of the whole cluster for ten minutes. (Kafka Streams
     * hands out a view of the store either way, which fails only when read.) Where another instance gives this one's
     * address the assignment cannot tell what this one holds, and the store is read as it is.
     *
     * @throws org.apache.kafka.streams.errors.InvalidStateStoreException when read, while the store cannot be
     *         (starting, rebalancing, restoring)
     */
    private ReadOnlyKeyValueStore<String, byte[]> store(final String name) {
        if (streams.state() == KafkaStreams.State.RUNNING
                && selfMetadata().stream().noneMatch(m -> m.stateStoreNames().contains(name)) && addressIsOwn()) {
            return EmptyStore.INSTANCE;
        }
        coverage.requireWhole();
        return streams.store(StoreQueryParameters.fromNameAndType(name,
                QueryableStoreTypes.<String, byte[]>keyValueStore()));
    }

    /** What the group's assignment says this instance holds; empty when it holds nothing at all. */
    private Optional<StreamsMetadata> selfMetadata() {
        return streams.metadataForAllStreamsClients().stream().filter(m -> m.hostInfo().equals(self)).findFirst();
    }

    /** The other instances that hold a share of what the API reads: one with none has nothing to add. */
    private List<HostInfo> otherInstances() {
        final List<HostInfo> out = new ArrayList<>();
        for (StreamsMetadata m : streams.metadataForAllStreamsClients()) {
            if (!m.hostInfo().equals(self) && !out.contains(m.hostInfo())
                    && m.stateStoreNames().stream().anyMatch(READ_STORES::contains)) {
                out.add(m.hostInfo());
            }
        }
        return out;
    }

    /** Refuses an answer of the API, this instance's share or all, where {@link #addressIsOwn} does not hold. */
    private void requireOwnAddress() {
        if (!addressIsOwn()) {
            throw new SharedAddressException("another instance gives this instance's address, " + self.host() + ":"
                    + self.port() + " (http.peer_url, or http.external_url where that is not set): each must give its"
                    + " own, which the others reach it at; until then no instance can answer for all");
        }
    }

    /**
     * Whether no other instance gives this one's address ({@code http.peer_url} or {@code http.external_url}), as two
     * hosts that keep the default, http://localhost:8080, do: Kafka Streams keeps one instance's share under that
     * address, and the answers silently left the other's out. Told by this instance reading partitions the assignment
     * does not list under its address, or by no instance holding the series' states at all (where this one's empty
     * share was kept). Only judged while running: in a rebalance the assignment and the tasks differ for a moment.
     */
    private boolean addressIsOwn() {
        if (streams.state() != KafkaStreams.State.RUNNING) {
            return true;
        }
        final Collection<StreamsMetadata> all = streams.metadataForAllStreamsClients();
        final Set<TopicPartition> listed = new HashSet<>();
        all.stream().filter(m -> m.hostInfo().equals(self)).forEach(m -> listed.addAll(m.topicPartitions()));
        final Set<TopicPartition> mine = new HashSet<>();
        streams.metadataForLocalThreads()
                .forEach(t -> t.activeTasks().forEach(task -> mine.addAll(task.topicPartitions())));
        return listed.containsAll(mine)
                && all.stream().anyMatch(m -> m.stateStoreNames().contains(SeriesEvaluationProcessor.SERIES_STORE));
    }

    /** Another instance gives this one's address: an answer for all would be this instance's share alone. */
    static final class SharedAddressException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        SharedAddressException(final String message) {
            super(message);
        }
    }
}
