package io.vigil.ingest;

/**
 * What a JSON string can hold and Unicode text cannot: a <code>&#92;u</code> escape writes one UTF-16 unit, so
 * <code>"&#92;ud800"</code> is half of a surrogate pair with no other half, in bytes that are plain ASCII.
 * {@link Utf8Bytes} refuses such a character written as UTF-8; Jackson, reading the escape, keeps it, and a label value
 * holding it made a series whose labels no UTF-8 consumer can read (alerts echoed it as <code>&#92;uD800</code>). Line
 * protocol has no such escape, so only the JSON decoders check the strings they use; member names need no check,
 * Jackson refusing such a name as malformed JSON.
 */
final class LoneSurrogates {

    private LoneSurrogates() {
    }

    /**
     * Why {@code text} is not Unicode text, for a rejection's detail, or null when it is.
     *
     * @param what how the detail names the string ({@code label "path"}); the text itself is not quoted, since the
     *             detail goes to a Kafka header, which cannot hold it either
     */
    static String problem(final String what, final String text) {
        final int at = firstIn(text);
        return at < 0 ? null : String.format("%s holds \\u%04X, half of a UTF-16 surrogate pair without the other"
                + " (a JSON \\u escape), which is not Unicode text", what, (int) text.charAt(at));
    }

    /** Where the first surrogate without its other half is in {@code text}, or -1 when there is none. */
    static int firstIn(final String text) {
        for (int i = 0; i < text.length(); i++) {
            final char c = text.charAt(i);
            if (Character.isSurrogate(c)) {
                if (!Character.isHighSurrogate(c) || i + 1 == text.length()
                        || !Character.isLowSurrogate(text.charAt(i + 1))) {
                    return i;
                }
                i++;
            }
        }
        return -1;
    }
}
