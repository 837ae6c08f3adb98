package io.vigil.ingest;

/**
 * The fields of one datapoint as a decoder read them, before any check. Mutable on purpose: a decoder fills one per
 * datapoint from a token stream, in whatever order the fields come (or {@link #reset}s one for each), and
 * {@link DatapointValidator} turns it into a datapoint or a rejection. Every format fills the same draft, so every
 * format is checked the same way.
 */
final class DatapointDraft {

    /** What of a datapoint a problem is about. */
    enum Part {
        /** The name field. */
        NAME,
        /** The {@code __name__} label, when it is the name. */
        NAME_LABEL,
        /** The labels as a whole. */
        LABELS,
        /** One label's name. */
        LABEL_NAME,
        /** One label's value. */
        LABEL_VALUE,
        VALUE,
        TIMESTAMP
    }

    /**
     * What of a datapoint a problem is about, for a decoder to say where that is in its record ({@link JsonPlace}).
     * Made only for a problem: an accepted datapoint costs nothing more.
     *
     * @param label      the label of {@link Part#LABEL_NAME} and {@link Part#LABEL_VALUE} as the input names it, else
     *                   null
     * @param occurrence which of the label's occurrences in the input, from 1 (the second of one given twice)
     */
    record Subject(Part part, String label, int occurrence) {

        static final Subject NAME = new Subject(Part.NAME, null, 1);
        static final Subject NAME_LABEL = new Subject(Part.NAME_LABEL, null, 1);
        static final Subject LABELS = new Subject(Part.LABELS, null, 1);
        static final Subject VALUE = new Subject(Part.VALUE, null, 1);
        static final Subject TIMESTAMP = new Subject(Part.TIMESTAMP, null, 1);
    }

    /** The metric name, or null when the input had none. */
    String name;
    /** Whether {@link #name} is known to be a valid metric name already ({@link KnownLabels}). */
    boolean nameChecked;
    /** Why the name field could not be read as a string, or null. */
    String nameProblem;
    /** Made by {@link #labels()}, the first time the input's labels are read into the draft. */
    private DraftLabels labels;
    /** Why the labels could not be read as names and string values, or null. */
    String labelsProblem;
    /** What {@link #labelsProblem} is about when that is one label (given twice, not a string); null for all. */
    Subject labelsProblemSubject;
    /**
     * The labels when they were read before and accepted ({@link KnownLabels}), instead of {@link #labels()}; null
     * otherwise.
     */
    KnownLabels.LabelSet knownLabels;
    /**
     * The {@code __name__} label when {@link #knownLabels} were found without it (they then hold no metric name of
     * their own) and the datapoint has no {@link #name}, or null.
     */
    String nameLabel;

    boolean hasValue;
    double value;
    /** Why the value is not a number, or null. */
    String valueProblem;

    boolean hasTimestamp;
    long timestampMs;
    /** Why the timestamp could not be read, or null. */
    String timestampProblem;

    /** What {@link DatapointValidator} rejected the datapoint for; null while it has not. */
    Subject rejectedFor;

    /** As made: nothing read yet (a decoder reads every datapoint of its records into one draft). */
    void reset() {
        name = null;
        nameChecked = false;
        nameProblem = null;
        labels = null;
        labelsProblem = null;
        labelsProblemSubject = null;
        knownLabels = null;
        nameLabel = null;
        hasValue = false;
        value = 0;
        valueProblem = null;
        hasTimestamp = false;
        timestampMs = 0;
        timestampProblem = null;
        rejectedFor = null;
    }

    void value(final double sample) {
        hasValue = true;
        value = sample;
        valueProblem = null;
    }

    void timestamp(final long epochMs) {
        hasTimestamp = true;
        timestampMs = epochMs;
        timestampProblem = null;
    }

    /**
     * The labels in input order (so the first bad one reported is the first in the input), may hold {@code __name__};
     * made on first use: a datapoint whose label set is {@link #knownLabels known} has none of its own.
     */
    DraftLabels labels() {
        if (labels == null) {
            labels = new DraftLabels();
        }
        return labels;
    }
}
