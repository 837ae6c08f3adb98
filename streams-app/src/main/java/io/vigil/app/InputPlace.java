package io.vigil.app;

import io.vigil.ingest.RecordPosition;

/**
 * Where a replayed record starts: its input file, as it was named, and the line of the file it is read from.
 *
 * @param file the input as named on the command line
 * @param line the file's line the record starts on, from 1 (blank lines counted)
 */
record InputPlace(String file, long line) {

    /**
     * {@code FILE:LINE:COLUMN} of {@code position} in the record, as compilers name a place: the file's line is the
     * record's first + the line within it - 1. {@code FILE:LINE} where the position has no column, the record's own
     * line where there is no position at all.
     */
    String of(final RecordPosition position) {
        if (!position.known()) {
            return file + ":" + line;
        }
        final String at = file + ":" + (line + position.line() - 1);
        return position.hasColumn() ? at + ":" + position.column() : at;
    }
}
