package io.vigil.ingest;

import io.vigil.model.Datapoint;
import io.vigil.model.DurationSyntax;
import io.vigil.model.Series;
import java.time.Duration;
import java.time.Instant;

/**
 * Turns a {@link DatapointDraft} into a datapoint or a rejection, enforcing the {@link IngestLimits}. A datapoint
 * gets one rejection, for the first problem in this order: name, labels, value, timestamp.
 */
final class DatapointValidator {

    private static final String NAME_LABEL = "__name__";

    private final IngestLimits limits;
    private final long maxFutureSkewMs;

    DatapointValidator(final IngestLimits limits) {
        this.limits = limits;
        this.maxFutureSkewMs = limits.maxFutureSkew().toMillis();
    }

    /**
     * @param index  the datapoint's position in its batch, from 0, or -1 when the record holds just one
     * @param nowMs  wall clock, epoch milliseconds
     */
    void validate(final DatapointDraft draft, final int index, final long nowMs, final DecodedRecord.Builder out) {
        validate(draft, index < 0 ? "" : at(index), nowMs, out);
    }

    /** @param where what a rejection's detail starts with to say which datapoint it is ("" for none) */
    void validate(final DatapointDraft draft, final String where, final long nowMs, final DecodedRecord.Builder out) {
        final Rejection rejection = firstProblem(draft, nowMs);
        if (rejection != null) {
            out.reject(where.isEmpty() ? rejection : rejection.about(where));
            return;
        }
        accept(draft, out);
    }

    /**
     * As {@link #validate(DatapointDraft, String, long, DecodedRecord.Builder)}, for a datapoint of line
     * {@code line} of a line protocol record: a rejection says which line, in its detail and its position (made only
     * then: nearly every line is accepted).
     */
    void validateLine(final DatapointDraft draft, final int line, final long nowMs, final DecodedRecord.Builder out) {
        final Rejection rejection = firstProblem(draft, nowMs);
        if (rejection != null) {
            out.reject(rejection.onLine(line));
            return;
        }
        accept(draft, out);
    }

    private void accept(final DatapointDraft draft, final DecodedRecord.Builder out) {
        final String name = metricName(draft);
        final KnownLabels.LabelSet known = draft.knownLabels;
        final Series series = known != null ? known.series(name)
                : new Series(name, draft.labels().toLabels(NAME_LABEL));
        out.accept(new Datapoint(series, draft.value, draft.timestampMs));
    }

    /**
     * Accepts into {@code out} the datapoint of a known label set {@code labels} (accepted under these limits), a
     * metric name {@link KnownLabels#metricName} gave, a value and a timestamp, as {@link #validate} would; false, with
     * {@code out} untouched, when {@link #validate} would reject it (a timestamp outside the years 0000 to 9999, or
     * too far ahead).
     */
    boolean acceptKnown(final KnownLabels.LabelSet labels, final String name, final double value,
                        final long timestampMs, final long nowMs, final DecodedRecord.Builder out) {
        if (!Rfc3339Timestamps.withinYears(timestampMs) || tooFarAhead(timestampMs, nowMs)
                || name.length() > limits.maxLabelValueLength()) {
            return false; // read the general way, which says why
        }
        out.accept(new Datapoint(labels.series(name), value, timestampMs));
        return true;
    }

    /**
     * {@code labels} as {@link KnownLabels} keeps them, or null when {@link #validate} would reject them (they are
     * then read and checked again every time).
     *
     * @param nameApart whether they are kept without their {@code __name__}, which each datapoint then brings
     *                  ({@link DatapointDraft#nameLabel})
     */
    KnownLabels.LabelSet knownLabels(final DraftLabels labels, final boolean nameApart) {
        if (labelsProblem(labels, null) != null) {
            return null;
        }
        final io.vigil.model.Labels sorted = labels.toLabels(NAME_LABEL);
        return new KnownLabels.LabelSet(limits, sorted, nameApart ? null : labels.get(NAME_LABEL),
                Series.labelsKey(sorted));
    }

    /** Whether {@code known} was checked under these limits. */
    boolean accepted(final KnownLabels.LabelSet known) {
        return known.limits == limits;
    }

    /** {@code datapoint 3: }, the prefix of details about one datapoint of a batch (counted from 0, as jq does). */
    static String at(final int index) {
        return "datapoint " + index + ": ";
    }

    private Rejection firstProblem(final DatapointDraft draft, final long nowMs) {
        Rejection problem = nameProblem(draft);
        if (problem == null) {
            problem = labelsProblem(draft);
        }
        if (problem == null) {
            problem = valueProblem(draft);
        }
        if (problem == null) {
            problem = timestampProblem(draft, nowMs);
        }
        return problem;
    }

    /** Why the draft's name is refused, or null; {@link DatapointDraft#rejectedFor} says which field is at fault. */
    private Rejection nameProblem(final DatapointDraft draft) {
        if (draft.nameProblem != null) {
            draft.rejectedFor = DatapointDraft.Subject.NAME;
            return new Rejection(DeadLetterReason.INVALID_NAME, draft.nameProblem);
        }
        final String name = metricName(draft);
        if (name.isEmpty()) {
            draft.rejectedFor = DatapointDraft.Subject.NAME;
            return new Rejection(DeadLetterReason.MISSING_NAME, "no \"name\" and no \"__name__\" label");
        }
        if (name.length() > limits.maxLabelValueLength()) {
            // The name is the value of the series' __name__ label: held as long as the series, as the others are.
            draft.rejectedFor = nameSubject(draft, name);
            return new Rejection(DeadLetterReason.LABEL_VALUE_TOO_LONG, "the metric name (label \"__name__\") has "
                    + name.length() + " chars, more than the limit of " + limits.maxLabelValueLength());
        }
        if (!(draft.nameChecked && name == draft.name) && !NameSyntax.isMetricName(name)) {
            draft.rejectedFor = nameSubject(draft, name);
            return new Rejection(DeadLetterReason.INVALID_NAME,
                    "name " + Rejection.quote(name) + " is not a valid metric name ([a-zA-Z_:][a-zA-Z0-9_:]*)");
        }
        final String label = nameLabel(draft);
        if (name == draft.name && label != null && !label.isEmpty() && !label.equals(name)) {
            // Two names for one datapoint: which is meant is not for ingest to guess. Placed at the label, the second.
            draft.rejectedFor = DatapointDraft.Subject.NAME_LABEL;
            return new Rejection(DeadLetterReason.INVALID_NAME, "name " + Rejection.quote(name)
                    + " and label \"__name__\" " + Rejection.quote(label) + " differ");
        }
        return null;
    }

    /** Where the metric name {@code name} came from: the name field, or the {@code __name__} label. */
    private static DatapointDraft.Subject nameSubject(final DatapointDraft draft, final String name) {
        return name == draft.name ? DatapointDraft.Subject.NAME : DatapointDraft.Subject.NAME_LABEL;
    }

    /** {@code name}, or {@code labels.__name__} when {@code name} is absent or empty; "" when neither is there. */
    private static String metricName(final DatapointDraft draft) {
        if (draft.name != null && !draft.name.isEmpty()) {
            return draft.name;
        }
        final String fromLabels = nameLabel(draft);
        return fromLabels == null ? "" : fromLabels;
    }

    /**
     * The {@code __name__} label, or null. Null too for known labels kept without it ({@link KnownLabels}) when the
     * datapoint has a name of its own: the reader holds that name to the label's bytes before.
     */
    private static String nameLabel(final DatapointDraft draft) {
        return draft.knownLabels == null ? draft.labels().get(NAME_LABEL)
                : draft.nameLabel != null ? draft.nameLabel : draft.knownLabels.metricName;
    }

    private Rejection labelsProblem(final DatapointDraft draft) {
        if (draft.labelsProblem != null) {
            draft.rejectedFor = draft.labelsProblemSubject != null ? draft.labelsProblemSubject
                    : DatapointDraft.Subject.LABELS;
            return new Rejection(DeadLetterReason.INVALID_LABELS, draft.labelsProblem);
        }
        return draft.knownLabels != null ? null : labelsProblem(draft.labels(), draft);
    }

    /** @param draft where to say which label is at fault ({@link DatapointDraft#rejectedFor}), or null */
    private Rejection labelsProblem(final DraftLabels draftLabels, final DatapointDraft draft) {
        int count = 0;
        final String[] labels = draftLabels.pairs();
        for (int i = 0; i < labels.length; i += 2) {
            if (labels[i + 1].isEmpty() || NAME_LABEL.equals(labels[i])) {
                continue;
            }
            count++;
            final Rejection problem = labelProblem(labels[i], labels[i + 1]);
            if (problem != null) {
                if (draft != null) {
                    final boolean ofValue = problem.reason() == DeadLetterReason.LABEL_VALUE_TOO_LONG;
                    draft.rejectedFor = new DatapointDraft.Subject(ofValue ? DatapointDraft.Part.LABEL_VALUE
                            : DatapointDraft.Part.LABEL_NAME, labels[i], 1);
                }
                return problem;
            }
        }
        if (count > limits.maxLabels()) {
            if (draft != null) {
                draft.rejectedFor = DatapointDraft.Subject.LABELS;
            }
            return new Rejection(DeadLetterReason.TOO_MANY_LABELS,
                    count + " labels, more than the limit of " + limits.maxLabels());
        }
        return null;
    }

    private Rejection labelProblem(final String name, final String value) {
        if (name.length() > limits.maxLabelNameLength()) {
            return new Rejection(DeadLetterReason.LABEL_NAME_TOO_LONG, "label name " + Rejection.quote(name)
                    + " has " + name.length() + " chars, more than the limit of " + limits.maxLabelNameLength());
        }
        if (!NameSyntax.isLabelName(name)) {
            return new Rejection(DeadLetterReason.INVALID_LABEL_NAME,
                    "label name " + Rejection.quote(name) + " is not a valid label name ([a-zA-Z_][a-zA-Z0-9_]*)");
        }
        if (value.length() > limits.maxLabelValueLength()) {
            return new Rejection(DeadLetterReason.LABEL_VALUE_TOO_LONG, "value of label " + Rejection.quote(name)
                    + " has " + value.length() + " chars, more than the limit of " + limits.maxLabelValueLength());
        }
        return null;
    }

    private static Rejection valueProblem(final DatapointDraft draft) {
        if (draft.valueProblem != null) {
            draft.rejectedFor = DatapointDraft.Subject.VALUE;
            return new Rejection(DeadLetterReason.INVALID_VALUE, draft.valueProblem);
        }
        if (!draft.hasValue) {
            draft.rejectedFor = DatapointDraft.Subject.VALUE;
            return new Rejection(DeadLetterReason.MISSING_VALUE, "no \"value\"");
        }
        return null;
    }

    /**
     * Why the draft's labels or timestamp are refused, the first in {@link #validate}'s order, or null: for a decoder
     * whose datapoints share both (a Telegraf metric's fields), to reject them once for all of them.
     */
    Rejection sharedProblem(final DatapointDraft draft, final long nowMs) {
        final Rejection labels = labelsProblem(draft);
        return labels != null ? labels : timestampProblem(draft, nowMs);
    }

    private Rejection timestampProblem(final DatapointDraft draft, final long nowMs) {
        final Rejection problem = timestampProblemWords(draft, nowMs);
        if (problem != null) {
            draft.rejectedFor = DatapointDraft.Subject.TIMESTAMP;
        }
        return problem;
    }

    private Rejection timestampProblemWords(final DatapointDraft draft, final long nowMs) {
        if (draft.timestampProblem != null) {
            return new Rejection(DeadLetterReason.INVALID_TIMESTAMP, draft.timestampProblem);
        }
        if (!draft.hasTimestamp) {
            return new Rejection(DeadLetterReason.MISSING_TIMESTAMP, "no \"timestamp\"");
        }
        if (!Rfc3339Timestamps.withinYears(draft.timestampMs)) {
            // Beyond these, event time has no use for an instant, and one near Long.MIN_VALUE would wrap the
            // evaluators' "t - grace" around to the far future, dropping every point after it as late.
            return new Rejection(DeadLetterReason.INVALID_TIMESTAMP, "timestamp " + draft.timestampMs
                    + " ms is outside the years 0000 to 9999" + TimestampUnits.hint(draft.timestampMs, nowMs));
        }
        if (tooFarAhead(draft.timestampMs, nowMs)) {
            return new Rejection(DeadLetterReason.FUTURE_TIMESTAMP, "timestamp " + instant(draft.timestampMs)
                    + " is " + DurationSyntax.format(Duration.ofMillis(draft.timestampMs - nowMs))
                    + " ahead of the wall clock " + instant(nowMs) + ", more than the allowed "
                    + DurationSyntax.format(limits.maxFutureSkew()) + TimestampUnits.hint(draft.timestampMs, nowMs));
        }
        return null;
    }

    private boolean tooFarAhead(final long timestampMs, final long nowMs) {
        return timestampMs > saturatedAdd(nowMs, maxFutureSkewMs);
    }

    private static String instant(final long epochMs) {
        return Instant.ofEpochMilli(epochMs).toString();
    }

    private static long saturatedAdd(final long a, final long b) {
        final long sum = a + b;
        return ((a ^ sum) & (b ^ sum)) < 0 ? (a < 0 ? Long.MIN_VALUE : Long.MAX_VALUE) : sum;
    }
}
