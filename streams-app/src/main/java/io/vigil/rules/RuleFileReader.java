package io.vigil.rules;

import io.vigil.model.DurationSyntax;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;

/** Reads and validates one rule file's text against rules.md; checks that span files are {@link RuleLoader}'s. */
final class RuleFileReader {

    private static final List<String> FILE_KEYS = List.of("groups");
    private static final List<String> GROUP_KEYS = List.of("name", "every", "rules");
    /** The annotations AlertEventFactory adds to an event: RESOLVED_REASON, CUT_NOTE. */
    static final List<String> VIGIL_ANNOTATIONS = List.of("resolved_reason", "vigil_cut");
    private static final List<String> RULE_KEYS = List.of("alert", "series", "aggregate", "window", "threshold",
            "deviation", "outlier", "absent", "for", "keep_firing_for", "labels", "annotations");
    private static final Duration DEFAULT_EVERY = Duration.ofSeconds(10);
    private static final Duration DEFAULT_WINDOW = Duration.ofMinutes(1);
    private static final Pattern ALERT_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final List<String> AGGREGATES = Arrays.stream(Aggregate.values()).map(Aggregate::yamlName).toList();

    /**
     * A group as far as it could be read: its name and where it was written (for the check that names are unique
     * across files), and the group itself when it and all its rules are valid.
     */
    record GroupRead(String name, YamlNode.Mark nameMark, Optional<RuleGroup> group) {
    }

    record FileRead(List<GroupRead> groups, FileProblems problems) {
    }

    private final String fileName;
    private final FileProblems problems;
    /** Where each rule of the file starts, valid or not, in file order: a rule's text runs to the next one's start. */
    private final List<YamlNode.Mark> ruleStarts = new ArrayList<>();
    /** The rules valid on their own, by where each starts, for the {@link RuleCheck} once the whole file is read. */
    private final Map<YamlNode.Mark, Rule> validRules = new HashMap<>();

    private RuleFileReader(final String fileName) {
        this.fileName = fileName;
        this.problems = new FileProblems(fileName);
    }

    static FileRead read(final String fileName, final String text, final RuleCheck check) {
        final RuleFileReader reader = new RuleFileReader(fileName);
        final List<GroupRead> groups = reader.readFile(text);
        reader.check(check);
        return new FileRead(groups, reader.problems);
    }

    /**
     * Checks each valid rule with no problem in its text, which runs from its start to the next rule's (a problem
     * between a group's last rule and the next group's first is taken for the rule's: its check is then left out, to
     * be said once the problem is fixed).
     */
    private void check(final RuleCheck check) {
        for (int i = 0; i < ruleStarts.size(); i++) {
            final Rule rule = validRules.get(ruleStarts.get(i));
            final YamlNode.Mark end = i + 1 < ruleStarts.size() ? ruleStarts.get(i + 1) : null;
            if (rule != null && !problems.anyFrom(ruleStarts.get(i), end)) {
                check.problem(rule).ifPresent(p -> problems.add(rule.line(), rule.column(), p));
            }
        }
    }

    private List<GroupRead> readFile(final String text) {
        final Optional<YamlNode> root = YamlTreeReader.read(text, problems);
        // An empty file (or one holding only comments) has no groups, as in Prometheus.
        if (root.isEmpty() || root.get() instanceof YamlNode.Scalar s && s.isNull()) {
            return List.of();
        }
        final Optional<MappingReader> file = MappingReader.of(root.get(), "a rule file", FILE_KEYS, root.get().mark(), problems);
        final Optional<YamlNode.Sequence> groups = file.flatMap(f -> f.requiredList("groups"));
        final List<GroupRead> read = new ArrayList<>();
        groups.ifPresent(g -> g.items().forEach(item -> group(item).ifPresent(read::add)));
        return read;
    }

    private Optional<GroupRead> group(final YamlNode node) {
        final Optional<MappingReader> reader = MappingReader.of(node, "a group", GROUP_KEYS, node.mark(), problems);
        if (reader.isEmpty()) {
            return Optional.empty();
        }
        final MappingReader g = reader.get();
        final int before = problems.count();
        final Optional<String> name = g.requiredText("name").filter(n -> {
            if (n.isBlank()) {
                problems.add(g.valueMark("name"), "'name' must not be empty");
                return false;
            }
            return true;
        });
        final Optional<Duration> every = g.duration("every", DEFAULT_EVERY, MappingReader.Bound.ABOVE_ZERO);
        final Map<String, YamlNode.Mark> alerts = new HashMap<>();
        final List<Rule> rules = new ArrayList<>();
        g.list("rules").ifPresent(list -> list.items().forEach(item -> {
            ruleStarts.add(item.mark());
            rule(item, name.orElse(""), every, alerts).ifPresent(rule -> {
                rules.add(rule);
                validRules.put(item.mark(), rule);
            });
        }));
        if (name.isEmpty()) {
            return Optional.empty();
        }
        final Optional<RuleGroup> group = problems.count() == before && every.isPresent()
                ? Optional.of(new RuleGroup(name.get(), every.get(), rules, fileName))
                : Optional.empty();
        return Optional.of(new GroupRead(name.get(), g.valueMark("name"), group));
    }

    /**
     * rules.md's default window, 1m, where the group's {@code every} divides it; else the shortest multiple of
     * {@code every} above 1m ({@code every: 2m}: 2m; 40s: 80s). The window must be a multiple of {@code every}, so the
     * default would be refused in such a group, for every rule that leaves it out, absent rules too, which use none.
     */
    static Duration defaultWindow(final Optional<Duration> every) {
        if (every.isEmpty() || every.get().isZero() || every.get().isNegative()) {
            return DEFAULT_WINDOW;
        }
        final long step = every.get().toMillis();
        return Duration.ofMillis((DEFAULT_WINDOW.toMillis() + step - 1) / step * step);
    }

    private Optional<Rule> rule(final YamlNode node, final String group, final Optional<Duration> every,
            final Map<String, YamlNode.Mark> alertsInGroup) {
        final Optional<MappingReader> reader = MappingReader.of(node, "a rule", RULE_KEYS, node.mark(), problems);
        if (reader.isEmpty()) {
            return Optional.empty();
        }
        final MappingReader r = reader.get();
        final int before = problems.count();
        final Optional<String> alert = alertName(r, group, alertsInGroup);
        final Optional<SeriesSelector> selector = r.requiredScalar("series").flatMap(this::selector);
        final Optional<Aggregate> aggregate = r.choice("aggregate", AGGREGATES, Aggregate.AVG.yamlName())
                .flatMap(Aggregate::fromYaml);
        final Optional<Duration> window = r.duration("window", defaultWindow(every), MappingReader.Bound.ABOVE_ZERO);
        if (window.isPresent() && every.isPresent() && window.get().toMillis() % every.get().toMillis() != 0) {
            problems.add(r.valueMark("window"), "'window' (" + DurationSyntax.format(window.get())
                    + ") must be a multiple of the group's 'every' (" + DurationSyntax.format(every.get()) + ")");
        }
        final List<YamlNode.Entry> kinds = ConditionReader.KINDS.stream()
                .flatMap(k -> r.entry(k).stream())
                .toList();
        if (kinds.isEmpty()) {
            problems.add(r.missingAt(), "a rule needs exactly one of threshold, deviation, outlier, absent");
        } else if (kinds.size() > 1) {
            final List<String> names = kinds.stream().map(YamlNode.Entry::key).toList();
            final YamlNode.Entry second = kinds.stream()
                    .sorted((a, b) -> a.keyMark().line() != b.keyMark().line()
                            ? Integer.compare(a.keyMark().line(), b.keyMark().line())
                            : Integer.compare(a.keyMark().column(), b.keyMark().column()))
                    .skip(1).findFirst().orElseThrow();
            problems.add(second.keyMark(), "a rule needs exactly one of threshold, deviation, outlier, absent; this one has "
                    + String.join(" and ", names));
        }
        // Every kind present is checked, so one run reports all their problems.
        final List<Condition> conditions = new ArrayList<>();
        kinds.forEach(k -> ConditionReader.read(k.key(), k, window, problems).ifPresent(conditions::add));
        final Optional<Duration> forDuration = r.duration("for", Duration.ZERO, MappingReader.Bound.ANY);
        final Optional<Duration> keepFiringFor = r.duration("keep_firing_for", Duration.ZERO, MappingReader.Bound.ANY);
        // Without a known kind, $median and $z are let through rather than reported on top of the missing kind.
        final boolean allowBaseline = kinds.isEmpty() || kinds.get(0).key().equals("deviation")
                || kinds.get(0).key().equals("outlier");
        final Map<String, Template> labels = templates(r, "labels", allowBaseline);
        final Map<String, Template> annotations = templates(r, "annotations", allowBaseline);
        if (problems.count() != before || alert.isEmpty() || selector.isEmpty() || aggregate.isEmpty()
                || window.isEmpty() || every.isEmpty() || conditions.size() != 1 || forDuration.isEmpty()
                || keepFiringFor.isEmpty()) {
            return Optional.empty();
        }
        final var at = r.entry("alert").orElseThrow().keyMark();
        return Optional.of(new Rule(group, alert.get(), selector.get(), aggregate.get(), window.get(), every.get(),
                conditions.get(0), forDuration.get(), keepFiringFor.get(), labels, annotations, fileName, at.line(),
                at.column()));
    }

    private Optional<String> alertName(final MappingReader r, final String group,
            final Map<String, YamlNode.Mark> alertsInGroup) {
        final Optional<String> alert = r.requiredText("alert");
        if (alert.isEmpty()) {
            return alert;
        }
        final YamlNode.Mark at = r.valueMark("alert");
        if (!ALERT_NAME.matcher(alert.get()).matches()) {
            problems.add(at, "alert name '" + alert.get() + "' must match [A-Za-z_][A-Za-z0-9_]*");
            return Optional.empty();
        }
        final YamlNode.Mark first = alertsInGroup.putIfAbsent(alert.get(), at);
        if (first != null) {
            problems.add(at, "duplicate alert '" + alert.get() + "' in group '" + group + "'; first defined at line "
                    + first.line());
            return Optional.empty();
        }
        return alert;
    }

    private Optional<SeriesSelector> selector(final YamlNode.Scalar series) {
        try {
            return Optional.of(SeriesSelector.parse(series.text()));
        } catch (ValueSyntaxException e) {
            e.all().forEach(each -> problems.add(series.markAt(each.offset()), "invalid series selector: "
                    + each.getMessage()));
            return Optional.empty();
        }
    }

    /** {@code labels} or {@code annotations}: names checked, values parsed as templates. Sorted by name. */
    private Map<String, Template> templates(final MappingReader r, final String key, final boolean allowBaseline) {
        final Map<String, Template> templates = new TreeMap<>();
        final Optional<YamlNode> node = r.value(key);
        if (node.isEmpty()) {
            return templates;
        }
        final boolean isLabels = key.equals("labels");
        final String what = isLabels ? "label" : "annotation";
        final Optional<MappingReader> map = MappingReader.ofAnyKeys(node.get(), "'" + key + "'", node.get().mark(), problems);
        map.ifPresent(m -> m.entries().forEach(e -> {
            if (!LabelNames.isValid(e.key())) {
                problems.add(e.keyMark(), what + " name '" + e.key() + "' " + LabelNames.RULE);
            } else if (isLabels && e.key().equals("alertname")) {
                problems.add(e.keyMark(), "label name 'alertname' is reserved: it is always the rule's 'alert'");
            } else if (isLabels && e.key().startsWith("__")) {
                problems.add(e.keyMark(), "label name '" + e.key() + "' is reserved: names starting with __ are internal");
            } else if (!isLabels && VIGIL_ANNOTATIONS.contains(e.key())) {
                // Written over by the event that needs it, the rule's own said nothing there, and nothing said so.
                problems.add(e.keyMark(), "annotation name '" + e.key() + "' is reserved: Vigil writes it (why an"
                        + " alert resolved, or that its annotations were cut)");
            }
            m.required(e.key()).flatMap(v -> v instanceof YamlNode.Scalar s ? Optional.of(s) : wrongTemplate(e, what))
                    .flatMap(s -> template(s, what, e.key(), allowBaseline))
                    .ifPresent(t -> templates.put(e.key(), t));
        }));
        return templates;
    }

    private Optional<YamlNode.Scalar> wrongTemplate(final YamlNode.Entry e, final String what) {
        if (!(e.value() instanceof YamlNode.Invalid)) {
            problems.add(e.value().mark(), what + " '" + e.key() + "' must be text, not " + e.value().describe());
        }
        return Optional.empty();
    }

    private Optional<Template> template(final YamlNode.Scalar s, final String what, final String name,
            final boolean allowBaseline) {
        try {
            return Optional.of(Template.parse(s.text(), allowBaseline));
        } catch (ValueSyntaxException e) {
            e.all().forEach(each -> problems.add(s.markAt(each.offset()), "invalid template in " + what + " '" + name
                    + "': " + each.getMessage()));
            return Optional.empty();
        }
    }
}
