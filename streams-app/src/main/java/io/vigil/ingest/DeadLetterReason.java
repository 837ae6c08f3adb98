package io.vigil.ingest;

/**
 * Why a record, or one datapoint of it, goes to the dead-letter topic. Each reason has a stable snake_case
 * {@link #tag()} for the {@code reason} label of {@code vigil_ingest_rejected_total} and for the {@code vigil.error}
 * header; tags are part of the contract, so they are spelled out rather than derived from the constant names.
 */
public enum DeadLetterReason {
    /** The value is null, empty, only whitespace, or a batch array with nothing in it. */
    EMPTY("empty"),
    /** The value is larger than {@link IngestLimits#maxRecordBytes()}; it is not parsed at all. */
    RECORD_TOO_LARGE("record_too_large"),
    /**
     * Not well-formed in any supported format, or not UTF-8 (which every format is); the whole record is rejected and
     * nothing of it is used.
     */
    UNPARSEABLE("unparseable"),
    /** An element of a batch array that is not a JSON object. */
    NOT_AN_OBJECT("not_an_object"),
    /** Neither {@code name} nor {@code labels.__name__} is present and non-empty. */
    MISSING_NAME("missing_name"),
    /**
     * The metric name is not a string or not {@code [a-zA-Z_:][a-zA-Z0-9_:]*}, {@code name} is given twice, or a
     * {@code __name__} label differs from it.
     */
    INVALID_NAME("invalid_name"),
    /**
     * {@code labels} is not an object or is given twice, one of its values is not a string or holds half a UTF-16
     * surrogate pair (a JSON escape writes one), or a label name is given twice (Telegraf: two tags that
     * make one label name).
     */
    INVALID_LABELS("invalid_labels"),
    /** More labels than {@link IngestLimits#maxLabels()}, not counting {@code __name__} and empty values. */
    TOO_MANY_LABELS("too_many_labels"),
    /** A label name longer than {@link IngestLimits#maxLabelNameLength()}. */
    LABEL_NAME_TOO_LONG("label_name_too_long"),
    /** A label name that is not {@code [a-zA-Z_][a-zA-Z0-9_]*}. */
    INVALID_LABEL_NAME("invalid_label_name"),
    /** A label value longer than {@link IngestLimits#maxLabelValueLength()}. */
    LABEL_VALUE_TOO_LONG("label_value_too_long"),
    /** No {@code value}, or {@code value} is null. */
    MISSING_VALUE("missing_value"),
    /**
     * A {@code value} given twice, or neither a JSON number nor a numeric string, or whose number is beyond a
     * double's range ({@code 1e999}; the words {@code "+Inf"} and {@code "NaN"} are values); a Telegraf field beyond
     * that range.
     */
    INVALID_VALUE("invalid_value"),
    /** No {@code timestamp}, or {@code timestamp} is null. */
    MISSING_TIMESTAMP("missing_timestamp"),
    /**
     * A {@code timestamp} given twice, or neither an RFC 3339 string nor epoch milliseconds, or an instant outside the
     * years RFC 3339 can write (0000-01-01T00:00:00Z to 9999-12-31T23:59:59.999Z), whatever the format.
     */
    INVALID_TIMESTAMP("invalid_timestamp"),
    /** A timestamp more than {@link IngestLimits#maxFutureSkew()} ahead of the wall clock. */
    FUTURE_TIMESTAMP("future_timestamp"),
    /**
     * A timestamp more than {@link IngestLimits#maxAge()} behind the newest timestamp seen on its input partition:
     * a producer with a broken clock, or a backfill into a live topic, rather than ordinary lateness (which is
     * dropped and counted, not dead-lettered).
     */
    OLD_TIMESTAMP("old_timestamp"),
    /** A line protocol line that cannot be read; the record's other lines still count. */
    INVALID_LINE("invalid_line"),
    /**
     * The decoder itself failed on this input. Never expected: it exists so that a bug sends the record to the
     * dead-letter topic, counted apart from bad input, instead of stopping the stream.
     */
    DECODER_FAILURE("decoder_failure");

    private final String tag;

    DeadLetterReason(final String tag) {
        this.tag = tag;
    }

    /** The stable snake_case tag, e.g. {@code missing_name}. */
    public String tag() {
        return tag;
    }

    /** Whether the reason concerns the record as a whole (nothing of it was decoded) rather than one datapoint. */
    public boolean wholeRecord() {
        return this == EMPTY || this == RECORD_TOO_LARGE || this == UNPARSEABLE || this == DECODER_FAILURE;
    }
}
