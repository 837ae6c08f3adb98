package io.vigil.ingest;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * An input record that was rejected in whole or in part; it goes to the dead-letter topic as it came, with the
 * reason in the {@code vigil.error} header (cut only where the topic could not take it whole: {@link DeadLetterSize}).
 *
 * @param value      the original bytes of the record's value; null for a record without one
 * @param reason     one line
 * @param rejections what was rejected in it, in record order: each with its position, for a reader that names
 *                   where the record is ({@code vigil replay})
 * @param from       where the record is on its input, {@code metrics/0 at offset 17}, for the log
 */
public record DeadLetter(byte[] value, String reason, List<Rejection> rejections, String from) implements IngestOutput {
    public DeadLetter {
        rejections = List.copyOf(rejections);
    }

    /** The kinds of what was rejected in it, for {@link DeadLetterLog}. */
    public Set<DeadLetterReason> reasons() {
        final Set<DeadLetterReason> reasons = EnumSet.noneOf(DeadLetterReason.class);
        rejections.forEach(r -> reasons.add(r.reason()));
        return reasons;
    }
}
