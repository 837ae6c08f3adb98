package io.vigil.rules;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The text of a hand-written file (rule files, rule unit tests), which must be UTF-8: Java's own readers stop at a
 * bad byte without saying where it is, and a user looking for one wrong byte in a file needs its line and column.
 */
public final class Utf8Text {

    private static final char BYTE_ORDER_MARK = '\uFEFF';

    private Utf8Text() {
    }

    /** A file's bytes that are not UTF-8, with where the first bad byte stands. */
    public static final class NotUtf8Exception extends Exception {

        private static final long serialVersionUID = 1L;

        private final int line;
        private final int column;

        NotUtf8Exception(final int line, final int column) {
            super("the file is not valid UTF-8 (line " + line + ", column " + column + ")");
            this.line = line;
            this.column = column;
        }

        /** 1-based. */
        public int line() {
            return line;
        }

        /** 1-based, in code points as {@link YamlNode.Mark} counts them, so editors go to the bad byte. */
        public int column() {
            return column;
        }
    }

    /**
     * The text, without a leading byte order mark: editors hide it, and dropping it keeps columns on line 1 as the
     * user sees them.
     *
     * @throws NotUtf8Exception at the first byte that does not belong to a UTF-8 sequence
     */
    public static String decode(final byte[] bytes) throws NotUtf8Exception {
        final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        // UTF-8 never decodes to more chars than bytes.
        final CharBuffer out = CharBuffer.allocate(bytes.length);
        CoderResult result = decoder.decode(ByteBuffer.wrap(bytes), out, true);
        if (!result.isError()) {
            result = decoder.flush(out);
        }
        final String text = out.flip().toString();
        final int start = text.isEmpty() || text.charAt(0) != BYTE_ORDER_MARK ? 0 : 1;
        if (result.isError()) {
            // The decoder stops right before the bad byte, so what it produced is the text up to there.
            throw at(text, start);
        }
        return text.substring(start);
    }

    /** The line and column just past {@code prefix}; line breaks as YAML's: LF, CR LF, or CR alone. */
    private static NotUtf8Exception at(final String prefix, final int start) {
        int line = 1;
        int lineStart = start;
        for (int i = start; i < prefix.length(); i++) {
            final char c = prefix.charAt(i);
            if (c == '\n' || c == '\r' && (i + 1 == prefix.length() || prefix.charAt(i + 1) != '\n')) {
                line++;
                lineStart = i + 1;
            }
        }
        return new NotUtf8Exception(line, prefix.codePointCount(lineStart, prefix.length()) + 1);
    }
}
