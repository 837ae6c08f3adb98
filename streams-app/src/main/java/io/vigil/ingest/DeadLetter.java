package io.vigil.ingest;

import java.util.Set;

/**
 * An input record that was rejected in whole or in part; it goes to the dead-letter topic as it came, with the
 * reason in the {@code vigil.error} header (cut only where the topic could not take it whole: {@link DeadLetterSize}).
 *
 * @param value   the original bytes of the record's value
 * @param reason  one line
 * @param reasons the kinds of what was rejected in it, for {@link DeadLetterLog}
 */
public record DeadLetter(byte[] value, String reason, Set<DeadLetterReason> reasons) implements IngestOutput {
    public DeadLetter {
        reasons = Set.copyOf(reasons);
    }
}
