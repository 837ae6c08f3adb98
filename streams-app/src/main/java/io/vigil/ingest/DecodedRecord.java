package io.vigil.ingest;

import io.vigil.model.Datapoint;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What one Kafka record value decoded to: its valid datapoints and the rejections of everything else. A record
 * with any rejection goes to the dead-letter topic once, with {@link #deadLetterMessage()}; its valid datapoints
 * are still processed. A non-empty input decodes to at least one datapoint, rejection or skipped field, but for one
 * case: a line protocol record of comment and blank lines only, which holds nothing to do (not an error, so nothing
 * to dead-letter).
 *
 * @param datapoints the valid datapoints, in record order
 * @param rejections one per rejected datapoint (in record order), or a single whole-record rejection (then there
 *                   are no datapoints)
 */
public record DecodedRecord(List<Datapoint> datapoints, List<Rejection> rejections, int skippedFields) {

    /**
     * @param skippedFields line protocol and Telegraf fields that are not numbers (strings, booleans): not errors,
     *                      not datapoints either; counted so that nothing is dropped silently
     */
    public DecodedRecord(final List<Datapoint> datapoints, final List<Rejection> rejections) {
        this(datapoints, rejections, 0);
    }


    /** How many rejections the dead-letter message spells out; the rest are only counted, to keep headers small. */
    static final int MAX_LISTED_REJECTIONS = 5;

    public DecodedRecord {
        datapoints = List.copyOf(Objects.requireNonNull(datapoints, "datapoints"));
        rejections = List.copyOf(Objects.requireNonNull(rejections, "rejections"));
    }

    static DecodedRecord rejected(final DeadLetterReason reason, final String detail) {
        return rejected(new Rejection(reason, detail));
    }

    static DecodedRecord rejected(final Rejection rejection) {
        return new DecodedRecord(List.of(), List.of(rejection));
    }

    /** True when nothing was rejected, so the record need not go to the dead-letter topic. */
    public boolean fullyValid() {
        return rejections.isEmpty();
    }

    /**
     * The one-line {@code vigil.error} header for the dead-letter topic, or "" when {@link #fullyValid()}. A single
     * rejection with nothing decoded reads as that rejection's {@link Rejection#message()}; otherwise
     * {@code "2 rejections, 8 datapoints accepted: missing_name: datapoint 3: ...; invalid_value: ..."}, listing at
     * most five and counting the rest. A rejection is of what its words say (a datapoint, a line, a metric or a
     * field), so it is counted apart from the datapoints.
     */
    public String deadLetterMessage() {
        if (rejections.isEmpty()) {
            return "";
        }
        if (datapoints.isEmpty() && rejections.size() == 1) {
            return rejections.get(0).message();
        }
        // Each counted in its own unit: a rejection is of a datapoint, a line protocol line, a Telegraf metric or
        // field, and adding them to the datapoints accepted made a count of nothing ("1 of 4 datapoints rejected" of
        // one bad line and three datapoints).
        final StringBuilder sb = new StringBuilder(128 * Math.min(rejections.size(), MAX_LISTED_REJECTIONS))
                .append(counted(rejections.size(), "rejection")).append(", ")
                .append(counted(datapoints.size(), "datapoint")).append(" accepted: ");
        final int listed = Math.min(rejections.size(), MAX_LISTED_REJECTIONS);
        for (int i = 0; i < listed; i++) {
            if (i > 0) {
                sb.append("; ");
            }
            sb.append(rejections.get(i).message());
        }
        if (rejections.size() > listed) {
            sb.append("; and ").append(rejections.size() - listed).append(" more");
        }
        return sb.toString();
    }

    /** {@code 1 rejection}, {@code 2 rejections}. */
    private static String counted(final int n, final String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }

    /**
     * Collects one record's outcome; the decoders of every format fill one of these. Nearly every record holds one
     * datapoint and nothing rejected: for those no list is made until {@link #build}.
     */
    static final class Builder {
        private Datapoint first;
        private List<Datapoint> datapoints;
        private List<Rejection> rejections;
        /** What each rejection of a JSON record is about, by index; null until one is placed, as nearly always. */
        private List<JsonPlace> places;
        private int skipped;

        void accept(final Datapoint datapoint) {
            if (datapoints != null) {
                datapoints.add(datapoint);
            } else if (first == null) {
                first = datapoint;
            } else {
                datapoints = new ArrayList<>();
                datapoints.add(first);
                datapoints.add(datapoint);
            }
        }

        void reject(final Rejection rejection) {
            if (rejections == null) {
                rejections = new ArrayList<>(1);
            }
            rejections.add(rejection);
        }

        /** Says what the last rejection is about, for {@link #placeRejections} to find it in the record. */
        void placeLast(final JsonPlace place) {
            if (places == null) {
                places = new ArrayList<>(rejections.size());
            }
            while (places.size() < rejections.size() - 1) {
                places.add(null);
            }
            places.add(place);
        }

        /**
         * Places each rejection that has a {@link #placeLast place} at its position in {@code value}, the JSON record
         * it was read from, read once again to find them all ({@link JsonPlace#byteOffsets}); nothing to do, and
         * nothing read, for a record without.
         *
         * @param batchMember as {@link JsonPlace#byteOffsets}
         */
        void placeRejections(final byte[] value, final String batchMember) {
            if (places == null) {
                return;
            }
            final long[] offsets = JsonPlace.byteOffsets(value, places, batchMember);
            final RecordPosition[] positions = RecordPosition.ofCharactersAt(value, offsets);
            for (int i = 0; i < positions.length; i++) {
                if (positions[i] != null) {
                    final JsonPlace place = places.get(i);
                    final Rejection rejection = place.quotedAs() == null ? rejections.get(i) : rejections.get(i)
                            .requoted(place.quotedAs(), JsonPlace.numberText(value, offsets[i]));
                    rejections.set(i, rejection.at(positions[i], offsets[i]));
                }
            }
            places = null;
        }

        void skipField() {
            skipped++;
        }

        boolean isEmpty() {
            return first == null && rejections == null && skipped == 0;
        }

        /** Empty again, for the next record. */
        void reset() {
            first = null;
            datapoints = null;
            rejections = null;
            places = null;
            skipped = 0;
        }

        DecodedRecord build() {
            return new DecodedRecord(datapoints != null ? datapoints : first != null ? List.of(first) : List.of(),
                    rejections == null ? List.of() : rejections, skipped);
        }
    }
}
