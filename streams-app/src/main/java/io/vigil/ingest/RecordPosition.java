package io.vigil.ingest;

import java.util.Arrays;
import java.util.Comparator;

/**
 * Where in a record's text a problem is, for a reader that knows where the record itself is: {@code vigil replay}
 * names a rejected line as compilers do, {@code FILE:LINE:COLUMN}. Found only for a rejected record, from its bytes or
 * its text, never for an accepted one.
 *
 * <p>Lines end at {@code \n}, as line protocol has them ({@code \r} before it is the line end's too); a column counts
 * characters (code points) of the line as written, its leading whitespace included, so that it is the column an editor
 * shows, whatever the encoding took in bytes or Java in chars.
 *
 * @param line   the line within the record, from 1; 0 in {@link #NONE}
 * @param column the column, from 1; 0 when the problem concerns its line as a whole
 */
public record RecordPosition(int line, int column) {

    /** No position: the problem concerns the record as a whole, or one of its datapoints, which is not a line. */
    public static final RecordPosition NONE = new RecordPosition(0, 0);

    public RecordPosition {
        if (line < 0 || column < 0 || (line == 0 && column > 0)) {
            throw new IllegalArgumentException("no position at line " + line + ", column " + column);
        }
    }

    /** A whole line of the record. */
    static RecordPosition line(final int line) {
        return new RecordPosition(line, 0);
    }

    /**
     * The position of the byte at {@code offset} of {@code utf8}, whose bytes before it are well-formed UTF-8 (it may
     * itself be where they stop being so).
     *
     * @param offset from 0; the record's length for its end
     */
    static RecordPosition ofByte(final byte[] utf8, final int offset) {
        int line = 1;
        int column = 1;
        for (int i = 0; i < offset; i++) {
            if (utf8[i] == '\n') {
                line++;
                column = 1;
            } else if (!isContinuation(utf8[i])) {
                column++;
            }
        }
        return new RecordPosition(line, column);
    }

    /**
     * As {@link #ofByte}, in well-formed UTF-8, where {@code offset} may fall inside a character (Jackson's locations
     * do): that character's position.
     */
    static RecordPosition ofCharacterAt(final byte[] utf8, final int offset) {
        int start = offset;
        while (start > 0 && start < utf8.length && isContinuation(utf8[start])) {
            start--;
        }
        return ofByte(utf8, start);
    }

    /**
     * As {@link #ofCharacterAt}, for each of {@code offsets} in one pass over {@code utf8} whatever their order and
     * number: a JSON batch may have a rejection for each of thousands of datapoints.
     *
     * @param offsets from 0; -1 for none, whose position is null
     */
    static RecordPosition[] ofCharactersAt(final byte[] utf8, final long[] offsets) {
        final RecordPosition[] positions = new RecordPosition[offsets.length];
        final Integer[] order = new Integer[offsets.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparingLong(i -> offsets[i]));
        int line = 1;
        int column = 1;
        int at = 0;
        for (Integer i : order) {
            if (offsets[i] < 0 || offsets[i] > utf8.length) {
                continue;
            }
            int start = (int) offsets[i];
            while (start > 0 && start < utf8.length && isContinuation(utf8[start])) {
                start--;
            }
            for (; at < start; at++) {
                if (utf8[at] == '\n') {
                    line++;
                    column = 1;
                } else if (!isContinuation(utf8[at])) {
                    column++;
                }
            }
            positions[i] = new RecordPosition(line, column);
        }
        return positions;
    }

    private static boolean isContinuation(final byte b) {
        return (b & 0xC0) == 0x80;
    }

    /** Whether there is a position at all: false for {@link #NONE}. */
    public boolean known() {
        return line > 0;
    }

    /** Whether the position names a column: false for a whole line and for {@link #NONE}. */
    public boolean hasColumn() {
        return column > 0;
    }
}
