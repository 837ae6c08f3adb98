package io.vigil.ingest;

/**
 * The formats a record value may be in, told apart by the first significant byte. Telegraf JSON shares
 * {@link #JSON} and is told apart by its fields ({@link RecordDecoder}).
 */
enum RecordFormat {
    /** Starts with '{' or '['. */
    JSON,
    /** Anything else: InfluxDB line protocol starts with a measurement name. */
    LINE_PROTOCOL;

    /** The index of the first byte that is not whitespace or a UTF-8 byte order mark, or -1 when there is none. */
    static int firstSignificantByte(final byte[] value) {
        int i = value.length >= 3 && value[0] == (byte) 0xEF && value[1] == (byte) 0xBB && value[2] == (byte) 0xBF
                ? 3 : 0;
        while (i < value.length) {
            final byte b = value[i];
            if (b != ' ' && b != '\t' && b != '\n' && b != '\r') {
                return i;
            }
            i++;
        }
        return -1;
    }

    static RecordFormat of(final byte firstSignificant) {
        return firstSignificant == '{' || firstSignificant == '[' ? JSON : LINE_PROTOCOL;
    }
}
