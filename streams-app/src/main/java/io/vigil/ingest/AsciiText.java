package io.vigil.ingest;

import java.nio.charset.StandardCharsets;

/**
 * A string of a record read as text where it lies, {@code bytes[from, to)} of printable ASCII: prometheus-kafka-adapter
 * writes every timestamp as a string, and reading it needs no copy of its own.
 */
record AsciiText(byte[] bytes, int from, int to) implements CharSequence {

    @Override
    public int length() {
        return to - from;
    }

    @Override
    public char charAt(final int index) {
        return (char) bytes[from + index];
    }

    @Override
    public CharSequence subSequence(final int start, final int end) {
        return new AsciiText(bytes, from + start, from + end);
    }

    @Override
    public String toString() {
        return new String(bytes, from, to - from, StandardCharsets.ISO_8859_1);
    }
}
