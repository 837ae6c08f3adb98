package io.vigil.rules;

import io.vigil.model.KeySuggestion;
import io.vigil.model.DurationSyntax;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/**
 * Typed, validated access to one YAML mapping of a rule file (or rule unit test file). Every accessor reports what is
 * wrong with the value (missing, wrong type, out of range) at the value itself and returns empty; callers only combine
 * results.
 * A value that is present but empty ({@code key:}) counts as absent, so optional keys take their default.
 */
public final class MappingReader {

    /** The range a number or duration must lie in. */
    enum Bound {
        ANY, ABOVE_ZERO, ZERO_OR_MORE
    }

    private final YamlNode.Mapping mapping;
    private final String what;
    private final YamlNode.Mark missingAt;
    private final FileProblems problems;

    private MappingReader(final YamlNode.Mapping mapping, final String what, final YamlNode.Mark missingAt,
            final FileProblems problems) {
        this.mapping = mapping;
        this.what = what;
        this.missingAt = missingAt;
        this.problems = problems;
    }

    /**
     * Reads {@code node} as the mapping called {@code what} in messages ("a rule"), reporting every key not in
     * {@code known}, with the closest known key when one is close.
     *
     * @param missingAt where "needs 'key'" problems point: the key that introduced this mapping, when there is one
     */
    public static Optional<MappingReader> of(final YamlNode node, final String what, final List<String> known,
            final YamlNode.Mark missingAt, final FileProblems problems) {
        final Optional<MappingReader> reader = ofAnyKeys(node, what, missingAt, problems);
        reader.ifPresent(r -> r.reportUnknownKeys(known));
        return reader;
    }

    /** As {@link #of}, for mappings whose keys are the user's own (labels, annotations). */
    static Optional<MappingReader> ofAnyKeys(final YamlNode node, final String what, final YamlNode.Mark missingAt,
            final FileProblems problems) {
        if (node instanceof YamlNode.Mapping m) {
            return Optional.of(new MappingReader(m, what, missingAt, problems));
        }
        if (!(node instanceof YamlNode.Invalid)) {
            problems.add(node.mark(), what + " must be a mapping, not " + node.describe());
        }
        return Optional.empty();
    }

    private void reportUnknownKeys(final List<String> known) {
        for (YamlNode.Entry e : mapping.entries()) {
            if (!known.contains(e.key())) {
                final Optional<String> suggestion = KeySuggestion.closest(e.key(), known);
                problems.add(e.keyMark(), "unknown key '" + e.key() + "'; "
                        + suggestion.map(s -> "did you mean '" + s + "'?")
                                .orElse("expected one of " + String.join(", ", known)));
            }
        }
    }

    List<YamlNode.Entry> entries() {
        return mapping.entries();
    }

    /** Where "needs 'key'" problems point. */
    YamlNode.Mark missingAt() {
        return missingAt;
    }

    /** The entry when the key is written, even with an empty value. */
    Optional<YamlNode.Entry> entry(final String key) {
        return mapping.entry(key);
    }

    /** The value when the key is written with a non-empty value. */
    public Optional<YamlNode> value(final String key) {
        return mapping.entry(key).map(YamlNode.Entry::value).filter(v -> !(v instanceof YamlNode.Scalar s && s.isNull()));
    }

    /** Where {@code key} is written with no value after it ({@code tests:}), if it is. */
    public Optional<YamlNode.Mark> keyWithoutValue(final String key) {
        return mapping.entry(key).filter(e -> e.value() instanceof YamlNode.Scalar s && s.isNull())
                .map(YamlNode.Entry::keyMark);
    }

    boolean has(final String key) {
        return value(key).isPresent();
    }

    /** Where a problem about {@code key}'s value points: the value, or when the key is absent, {@link #missingAt}. */
    YamlNode.Mark valueMark(final String key) {
        return value(key).map(YamlNode::mark).orElse(missingAt);
    }

    /** The value, or a problem saying it is missing or empty. */
    Optional<YamlNode> required(final String key) {
        final Optional<YamlNode.Entry> entry = mapping.entry(key);
        if (entry.isEmpty()) {
            problems.add(missingAt, what + " needs '" + key + "'");
            return Optional.empty();
        }
        final YamlNode v = entry.get().value();
        if (v instanceof YamlNode.Scalar s && s.isNull()) {
            problems.add(entry.get().keyMark(), "'" + key + "' needs a value");
            return Optional.empty();
        }
        return Optional.of(v);
    }

    Optional<String> requiredText(final String key) {
        return required(key).flatMap(v -> text(key, v));
    }

    /** The scalar itself, so that errors inside its text can point at a character. */
    Optional<YamlNode.Scalar> requiredScalar(final String key) {
        return required(key).flatMap(v -> scalar(key, v, "text"));
    }

    /** One of {@code choices}, {@code whenAbsent} when absent. */
    Optional<String> choice(final String key, final List<String> choices, final String whenAbsent) {
        final Optional<YamlNode> v = value(key);
        if (v.isEmpty()) {
            return Optional.of(whenAbsent);
        }
        return text(key, v.get()).filter(t -> {
            if (choices.contains(t)) {
                return true;
            }
            problems.add(v.get().mark(), "'" + key + "' must be one of " + String.join(", ", choices) + "; not '" + t + "'");
            return false;
        });
    }

    Optional<Duration> requiredDuration(final String key, final Bound bound) {
        return required(key).flatMap(v -> duration(key, v, bound));
    }

    Optional<Duration> duration(final String key, final Duration whenAbsent, final Bound bound) {
        final Optional<YamlNode> v = value(key);
        return v.isEmpty() ? Optional.of(whenAbsent) : duration(key, v.get(), bound);
    }

    OptionalDouble requiredNumber(final String key, final Bound bound) {
        final Optional<YamlNode> v = required(key);
        return v.isEmpty() ? OptionalDouble.empty() : number(key, v.get(), bound);
    }

    OptionalDouble number(final String key, final double whenAbsent, final Bound bound) {
        final Optional<YamlNode> v = value(key);
        return v.isEmpty() ? OptionalDouble.of(whenAbsent) : number(key, v.get(), bound);
    }

    /** Empty when absent (no problem) or invalid (a problem). */
    OptionalDouble optionalNumber(final String key) {
        final Optional<YamlNode> v = value(key);
        return v.isEmpty() ? OptionalDouble.empty() : number(key, v.get(), Bound.ANY);
    }

    /** A whole number of at least {@code min}, {@code whenAbsent} when absent. */
    OptionalInt integer(final String key, final int whenAbsent, final int min) {
        final Optional<YamlNode> v = value(key);
        if (v.isEmpty()) {
            return OptionalInt.of(whenAbsent);
        }
        final OptionalDouble n = number(key, v.get(), Bound.ANY);
        if (n.isEmpty()) {
            return OptionalInt.empty();
        }
        final double x = n.getAsDouble();
        if (x != Math.rint(x) || x < min || x > Integer.MAX_VALUE) {
            problems.add(v.get().mark(), "'" + key + "' must be a whole number of at least " + min + ", not "
                    + ((YamlNode.Scalar) v.get()).text());
            return OptionalInt.empty();
        }
        return OptionalInt.of((int) x);
    }

    /** The items of a list, empty when absent or invalid. */
    Optional<YamlNode.Sequence> list(final String key) {
        return value(key).flatMap(v -> list(key, v));
    }

    Optional<YamlNode.Sequence> requiredList(final String key) {
        return required(key).flatMap(v -> list(key, v));
    }

    private Optional<YamlNode.Sequence> list(final String key, final YamlNode v) {
        if (v instanceof YamlNode.Sequence s) {
            return Optional.of(s);
        }
        if (!(v instanceof YamlNode.Invalid)) {
            problems.add(v.mark(), "'" + key + "' must be a list, not " + v.describe());
        }
        return Optional.empty();
    }

    /** Text of a scalar; numbers and booleans count as the text they were written as. */
    Optional<String> text(final String key, final YamlNode v) {
        return scalar(key, v, "text").map(YamlNode.Scalar::text);
    }

    private Optional<YamlNode.Scalar> scalar(final String key, final YamlNode v, final String expected) {
        if (v instanceof YamlNode.Scalar s) {
            return Optional.of(s);
        }
        if (!(v instanceof YamlNode.Invalid)) {
            problems.add(v.mark(), "'" + key + "' must be " + expected + ", not " + v.describe());
        }
        return Optional.empty();
    }

    private Optional<Duration> duration(final String key, final YamlNode v, final Bound bound) {
        final String expected = "a duration such as 30s, 5m or 1h";
        final Optional<YamlNode.Scalar> s = scalar(key, v, expected);
        if (s.isEmpty()) {
            return Optional.empty();
        }
        final Optional<Duration> d = DurationSyntax.parse(s.get().text());
        if (d.isEmpty()) {
            problems.add(v.mark(), "'" + key + "' must be " + expected + ", not '" + s.get().text() + "'");
            return Optional.empty();
        }
        if (bound == Bound.ABOVE_ZERO && d.get().isZero()) {
            problems.add(v.mark(), "'" + key + "' must be longer than 0s");
            return Optional.empty();
        }
        final Optional<String> tooLong = DurationSyntax.tooLong(key, s.get().text(), d.get());
        if (tooLong.isPresent()) {
            problems.add(v.mark(), tooLong.get());
            return Optional.empty();
        }
        return d;
    }

    /** A number as a problem quotes it: {@code 1000000000000000...000 (1001 digits)} for a long one. */
    private static String shortNumber(final String text) {
        if (text.length() <= 40) {
            return text;
        }
        final long digits = text.chars().filter(c -> c >= '0' && c <= '9').count();
        return text.substring(0, 16) + "..." + text.substring(text.length() - 3) + " (" + digits + " digits)";
    }

    /** Whether quoted {@code text} would be a number without its quotes. */
    private static boolean looksLikeANumber(final String text) {
        return text.strip().matches("[-+]?(?:[0-9][0-9_]*(?:\\.[0-9_]*)?|\\.[0-9]+)(?:[eE][-+]?[0-9]+)?");
    }

    private OptionalDouble number(final String key, final YamlNode v, final Bound bound) {
        final Optional<YamlNode.Scalar> s = scalar(key, v, "a number");
        if (s.isEmpty()) {
            return OptionalDouble.empty();
        }
        if (!s.get().isNumber()) {
            problems.add(v.mark(), "'" + key + "' must be a number, not " + v.describe()
                    + (looksLikeANumber(s.get().text()) ? " (a number in quotes is text: write it without them)" : ""));
            return OptionalDouble.empty();
        }
        final double x = s.get().number();
        if (Double.isInfinite(x)) {
            problems.add(v.mark(), "'" + key + "' is out of range: " + shortNumber(s.get().text())
                    + " is more than a double holds (about ±1.8e308)");
            return OptionalDouble.empty();
        }
        if (Double.isNaN(x)) {
            problems.add(v.mark(), "'" + key + "' must be a finite number, not " + s.get().text());
            return OptionalDouble.empty();
        }
        if (bound == Bound.ABOVE_ZERO && !(x > 0)) {
            problems.add(v.mark(), "'" + key + "' must be greater than 0, not " + s.get().text());
            return OptionalDouble.empty();
        }
        if (bound == Bound.ZERO_OR_MORE && x < 0) {
            problems.add(v.mark(), "'" + key + "' must be 0 or more, not " + s.get().text());
            return OptionalDouble.empty();
        }
        return OptionalDouble.of(x);
    }
}
