package io.vigil.rules;

import io.vigil.model.DurationSyntax;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.Set;

/** Reads the value of a rule's kind key ({@code threshold}, {@code deviation}, {@code outlier}, {@code absent}). */
final class ConditionReader {

    static final List<String> KINDS = List.of("threshold", "deviation", "outlier", "absent");

    private static final List<String> THRESHOLD_KEYS = List.of("above", "below", "recover");
    private static final List<String> DEVIATION_KEYS = List.of("baseline", "direction", "z", "min_change", "min_delta",
            "method");
    private static final List<String> OUTLIER_KEYS = List.of("peers", "direction", "z", "min_change", "min_delta",
            "min_peers");
    private static final List<String> ABSENT_KEYS = List.of("after");
    private static final int DEFAULT_MIN_PEERS = 5;

    private ConditionReader() {
    }

    /**
     * @param kind   one of {@link #KINDS}
     * @param entry  the kind's key and value; an empty value reads as an empty mapping, so missing keys are named
     * @param window the rule's window when valid, for checks against it
     */
    static Optional<Condition> read(final String kind, final YamlNode.Entry entry, final Optional<Duration> window,
            final FileProblems problems) {
        final YamlNode node = entry.value() instanceof YamlNode.Scalar s && s.isNull()
                ? new YamlNode.Mapping(List.of(), entry.keyMark())
                : entry.value();
        final List<String> known = switch (kind) {
            case "threshold" -> THRESHOLD_KEYS;
            case "deviation" -> DEVIATION_KEYS;
            case "outlier" -> OUTLIER_KEYS;
            default -> ABSENT_KEYS;
        };
        final Optional<MappingReader> reader = MappingReader.of(node, kind, known, entry.keyMark(), problems);
        if (reader.isEmpty()) {
            return Optional.empty();
        }
        final int before = problems.count();
        final Optional<Condition> condition = switch (kind) {
            case "threshold" -> threshold(reader.get(), problems);
            case "deviation" -> deviation(reader.get(), window, problems);
            case "outlier" -> outlier(reader.get(), problems);
            default -> reader.get().requiredDuration("after", MappingReader.Bound.ABOVE_ZERO).map(Condition.Absent::new);
        };
        return problems.count() == before ? condition : Optional.empty();
    }

    private static Optional<Condition> threshold(final MappingReader r, final FileProblems problems) {
        final boolean hasAbove = r.has("above");
        final boolean hasBelow = r.has("below");
        if (hasAbove && hasBelow) {
            final YamlNode.Mark above = r.entry("above").orElseThrow().keyMark();
            final YamlNode.Mark below = r.entry("below").orElseThrow().keyMark();
            problems.add(later(above, below), "threshold needs exactly one of 'above' or 'below', not both");
            return Optional.empty();
        }
        if (!hasAbove && !hasBelow) {
            problems.add(r.missingAt(), "threshold needs 'above' or 'below'");
            return Optional.empty();
        }
        final String side = hasAbove ? "above" : "below";
        final OptionalDouble limit = r.optionalNumber(side);
        final OptionalDouble recover = r.optionalNumber("recover");
        if (limit.isEmpty() || (r.has("recover") && recover.isEmpty())) {
            return Optional.empty();
        }
        if (recover.isPresent()) {
            final double m = recover.getAsDouble();
            final double n = limit.getAsDouble();
            final boolean wrongSide = hasAbove ? m > n : m < n;
            if (wrongSide) {
                final String relation = hasAbove ? "at or below" : "at or above";
                problems.add(r.valueMark("recover"), "'recover' (" + Template.formatNumber(m) + ") must be " + relation
                        + " '" + side + "' (" + Template.formatNumber(n) + "): a firing alert resolves once the aggregate"
                        + " is " + relation + " 'recover'");
                return Optional.empty();
            }
        }
        return Optional.of(new Condition.Threshold(hasAbove, limit.getAsDouble(), recover));
    }

    private static Optional<Condition> deviation(final MappingReader r, final Optional<Duration> window,
            final FileProblems problems) {
        final Optional<Duration> baseline = r.requiredDuration("baseline", MappingReader.Bound.ABOVE_ZERO);
        if (baseline.isPresent() && window.isPresent() && baseline.get().compareTo(window.get()) <= 0) {
            problems.add(r.valueMark("baseline"), "'baseline' (" + DurationSyntax.format(baseline.get())
                    + ") must be longer than the rule's 'window' (" + DurationSyntax.format(window.get()) + ")");
        }
        final Optional<Direction> direction = r.choice("direction", List.of("up", "down", "both"), "both")
                .map(d -> d.equals("up") ? Direction.HIGH : d.equals("down") ? Direction.LOW : Direction.BOTH);
        final OptionalDouble z = r.requiredNumber("z", MappingReader.Bound.ABOVE_ZERO);
        final OptionalDouble minChange = r.number("min_change", 0, MappingReader.Bound.ZERO_OR_MORE);
        final OptionalDouble minDelta = r.number("min_delta", 0, MappingReader.Bound.ZERO_OR_MORE);
        final Optional<BaselineMethod> method = r.choice("method", List.of("mad", "stddev"), "mad")
                .map(m -> m.equals("stddev") ? BaselineMethod.STDDEV : BaselineMethod.MAD);
        if (baseline.isEmpty() || direction.isEmpty() || z.isEmpty() || minChange.isEmpty() || minDelta.isEmpty()
                || method.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new Condition.Deviation(baseline.get(), direction.get(), z.getAsDouble(),
                minChange.getAsDouble(), method.get(), minDelta.getAsDouble()));
    }

    private static Optional<Condition> outlier(final MappingReader r, final FileProblems problems) {
        final Optional<List<String>> peers = peers(r, problems);
        final Optional<Direction> direction = r.choice("direction", List.of("low", "high", "both"), "both")
                .map(d -> d.equals("high") ? Direction.HIGH : d.equals("low") ? Direction.LOW : Direction.BOTH);
        final OptionalDouble z = r.requiredNumber("z", MappingReader.Bound.ABOVE_ZERO);
        final OptionalDouble minChange = r.number("min_change", 0, MappingReader.Bound.ZERO_OR_MORE);
        final OptionalDouble minDelta = r.number("min_delta", 0, MappingReader.Bound.ZERO_OR_MORE);
        final OptionalInt minPeers = r.integer("min_peers", DEFAULT_MIN_PEERS, 2);
        if (peers.isEmpty() || direction.isEmpty() || z.isEmpty() || minChange.isEmpty() || minDelta.isEmpty()
                || minPeers.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new Condition.Outlier(peers.get(), direction.get(), z.getAsDouble(),
                minChange.getAsDouble(), minPeers.getAsInt(), minDelta.getAsDouble()));
    }

    private static Optional<List<String>> peers(final MappingReader r, final FileProblems problems) {
        final Optional<YamlNode.Sequence> list = r.requiredList("peers");
        if (list.isEmpty()) {
            return Optional.empty();
        }
        if (list.get().items().isEmpty()) {
            problems.add(list.get().mark(), "'peers' needs at least one label name");
            return Optional.empty();
        }
        final List<String> names = new ArrayList<>();
        final Set<String> seen = new HashSet<>();
        boolean valid = true;
        for (YamlNode item : list.get().items()) {
            final Optional<String> name = r.text("peers", item);
            if (name.isEmpty()) {
                valid = false;
            } else if (!LabelNames.isValid(name.get())) {
                problems.add(item.mark(), "peer label '" + name.get() + "' " + LabelNames.RULE);
                valid = false;
            } else if (!seen.add(name.get())) {
                problems.add(item.mark(), "peer label '" + name.get() + "' is listed twice");
                valid = false;
            } else {
                names.add(name.get());
            }
        }
        return valid ? Optional.of(names) : Optional.empty();
    }

    private static YamlNode.Mark later(final YamlNode.Mark a, final YamlNode.Mark b) {
        final boolean aFirst = a.line() < b.line() || a.line() == b.line() && a.column() < b.column();
        return aFirst ? b : a;
    }
}
