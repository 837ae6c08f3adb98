package io.vigil.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.ingest.RecordPosition;
import org.junit.jupiter.api.Test;

/**
 * A problem's place in a replayed file, from the record's line in the file and the position in the record. A replay's
 * records are one line each, but a position is the record's, whatever reads it: its line 3 is two lines below the
 * record's first.
 */
class InputPlaceTest {

    private final InputPlace place = new InputPlace("capture.lp", 7);

    @Test
    void aPositionInTheRecordIsALineAndColumnOfTheFile() {
        assertThat(place.of(new RecordPosition(1, 12))).isEqualTo("capture.lp:7:12");
        assertThat(place.of(new RecordPosition(3, 1))).isEqualTo("capture.lp:9:1");
    }

    @Test
    void withoutAColumnOrAPositionThePlaceIsALine() {
        assertThat(place.of(new RecordPosition(3, 0))).isEqualTo("capture.lp:9");
        assertThat(place.of(RecordPosition.NONE)).isEqualTo("capture.lp:7");
    }
}
