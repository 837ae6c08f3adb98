package io.vigil.evaluation;

import java.time.Duration;

/**
 * When the asker of a question ({@link SeriesQuestions}) stops waiting. A task answers on its stream thread, and what
 * a question costs there no record gets: a filter's regex is matched in time linear in a label's length, times the
 * regex's size, up to seconds a series (a 20-character regex with a counted repeat, label values of 2,000
 * characters), and a task went on answering a question its asker had given up on for fourteen minutes while nothing
 * was evaluated. Past the deadline the matching stops ({@link Passed}) and the task is named unanswered.
 */
public final class QuestionDeadline {

    /** No deadline: the matching runs to its end. */
    public static final QuestionDeadline NONE = new QuestionDeadline(0, false);

    private final long nanos;
    private final boolean set;

    private QuestionDeadline(final long nanos, final boolean set) {
        this.nanos = nanos;
        this.set = set;
    }

    /** The deadline {@code wait} from now. */
    public static QuestionDeadline after(final Duration wait) {
        return new QuestionDeadline(System.nanoTime() + wait.toNanos(), true);
    }

    /** Whether the asker has stopped waiting. */
    public boolean passed() {
        return set && System.nanoTime() - nanos >= 0;
    }

    /** @throws Passed once the asker has stopped waiting */
    public void check() {
        if (passed()) {
            throw new Passed();
        }
    }

    /** Nanoseconds from now to the deadline, none below 0; for a deadline of none, as good as forever. */
    public long nanosLeft() {
        return set ? Math.max(0, nanos - System.nanoTime()) : Long.MAX_VALUE;
    }

    /**
     * {@code text} as a regex reads it, stopping with {@link Passed} once the deadline has passed: RE2/J reads a
     * character at each step of its matching, so no single match runs on past the deadline either.
     */
    public CharSequence watched(final String text) {
        return set ? new Watched(text) : text;
    }

    /** The question's time ran out: the task stops answering it. */
    public static final class Passed extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Passed() {
            super("the question's time ran out", null, false, false);
        }
    }

    private final class Watched implements CharSequence {
        private final String text;

        Watched(final String text) {
            this.text = text;
        }

        @Override
        public int length() {
            return text.length();
        }

        @Override
        public char charAt(final int index) {
            check();
            return text.charAt(index);
        }

        @Override
        public CharSequence subSequence(final int start, final int end) {
            return new Watched(text.substring(start, end));
        }

        @Override
        public String toString() {
            return text;
        }
    }
}
