package io.vigil.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.app.CapturedLogs;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class DeadLetterLogTest {

    private final AtomicLong now = new AtomicLong(1_000_000);
    private final DeadLetterLog log = new DeadLetterLog("metrics.dlq", now::get);

    @Test
    void eachReasonIsLoggedAtMostEveryTenMinutes() {
        final String logged;
        try (CapturedLogs logs = new CapturedLogs()) {
            log.written(letter("first", DeadLetterReason.INVALID_VALUE));
            log.written(letter("again", DeadLetterReason.INVALID_VALUE));
            now.addAndGet(DeadLetterLog.EVERY_MS - 1);
            log.written(letter("still within", DeadLetterReason.INVALID_VALUE));
            log.written(letter("another reason", DeadLetterReason.MISSING_NAME));
            now.addAndGet(1);
            log.written(letter("ten minutes on", DeadLetterReason.INVALID_VALUE));
            logged = logs.text();
        }
        assertThat(logged).contains(": first (", ": another reason (", ": ten minutes on (")
                .doesNotContain(": again (", ": still within (");
    }

    /** A record of several reasons takes one line, for the first of them not logged lately. */
    @Test
    void aRecordOfSeveralReasonsIsOneLine() {
        final String logged;
        try (CapturedLogs logs = new CapturedLogs()) {
            log.written(letter("one", DeadLetterReason.INVALID_VALUE));
            log.written(letter("two reasons", DeadLetterReason.INVALID_VALUE, DeadLetterReason.INVALID_LABELS));
            log.written(letter("both logged lately", DeadLetterReason.INVALID_VALUE, DeadLetterReason.INVALID_LABELS));
            logged = logs.text();
        }
        assertThat(logged.split("input written to", -1)).hasSize(3);
        assertThat(logged).contains(": one (", ": two reasons (", "more invalid_labels are")
                .doesNotContain("both logged lately");
    }

    private static DeadLetter letter(final String reason, final DeadLetterReason... reasons) {
        return new DeadLetter(new byte[0], reason,
                Arrays.stream(reasons).map(r -> new Rejection(r, reason)).toList(), "metrics/0 at offset 7");
    }
}
