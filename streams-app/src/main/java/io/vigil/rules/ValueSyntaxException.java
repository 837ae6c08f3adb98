package io.vigil.rules;

import java.util.ArrayList;
import java.util.List;

/**
 * A syntax error inside a value that has its own small language: a series selector or a template. The offset lets
 * the rule loader point at the exact character in the file.
 */
public final class ValueSyntaxException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final int offset;
    private final List<ValueSyntaxException> more;

    /**
     * @param message what is wrong, one line, without the position
     * @param offset  0-based char index into the value where the error is; may equal the value's length (at its end)
     */
    public ValueSyntaxException(final String message, final int offset) {
        this(message, offset, List.of());
    }

    private ValueSyntaxException(final String message, final int offset, final List<ValueSyntaxException> more) {
        super(message);
        this.offset = offset;
        this.more = more;
    }

    /**
     * The errors found in one value, the first carrying the others: a parser that can go on past an error (the
     * value's next regex, a template's next {@code {{ }}}) reports them all at once, as a rule file's problems are.
     */
    static ValueSyntaxException of(final List<ValueSyntaxException> found) {
        final ValueSyntaxException first = found.get(0);
        return new ValueSyntaxException(first.getMessage(), first.offset, List.copyOf(found.subList(1, found.size())));
    }

    public int offset() {
        return offset;
    }

    /** This error and the others found in the same value after it, in order. */
    public List<ValueSyntaxException> all() {
        final List<ValueSyntaxException> all = new ArrayList<>(1 + more.size());
        all.add(this);
        all.addAll(more);
        return all;
    }
}
