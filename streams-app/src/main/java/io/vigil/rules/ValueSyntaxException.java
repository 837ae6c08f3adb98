package io.vigil.rules;

/**
 * A syntax error inside a value that has its own small language: a series selector or a template. The offset lets
 * the rule loader point at the exact character in the file.
 */
public final class ValueSyntaxException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final int offset;

    /**
     * @param message what is wrong, one line, without the position
     * @param offset  0-based char index into the value where the error is; may equal the value's length (at its end)
     */
    public ValueSyntaxException(final String message, final int offset) {
        super(message);
        this.offset = offset;
    }

    public int offset() {
        return offset;
    }
}
