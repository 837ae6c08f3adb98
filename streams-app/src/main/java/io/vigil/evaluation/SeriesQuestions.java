package io.vigil.evaluation;

import io.vigil.rules.Condition;
import io.vigil.rules.Rule;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Questions from the HTTP API to this instance's tasks: the evaluation tasks about their series
 * ({@link TaskEvaluator#explain}), the peer tasks about their groups' last judgments
 * ({@link PeerGroupEvaluator#judgments}). A task's state is confined to its stream thread, which changes it between
 * any two records, and the stores' interactive-query view holds only the states with an alert, without points; so
 * the API posts a question to every task's inbox and each task answers it on its own thread at its next quiet check
 * (a tenth of a second), between records. Nothing is kept or computed for a question nobody asks: a task looks at
 * an empty queue.
 */
public final class SeriesQuestions {

    /**
     * The order of an answer to {@code asked}: firing, then pending, then inactive ({@link #rank}); then by rule and
     * series.
     */
    static Comparator<SeriesExplanation> order(final SeriesFilter asked) {
        return Comparator.comparingInt((SeriesExplanation e) -> rank(asked, e.rule(), e.series().key(), e.status()))
                .thenComparing(e -> e.rule().id())
                .thenComparing(e -> e.series().key());
    }

    /**
     * Where a pair of rule and series ranks in an answer: 0 firing, 1 pending, 2 inactive. An outlier's alert is the
     * peer stage's, not its series' task's, so an outlier ranks as {@code asked} says its alert stands.
     */
    static int rank(final SeriesFilter asked, final Rule rule, final String seriesKey, final AlertStatus status) {
        if (rule.condition() instanceof Condition.Outlier) {
            return asked.outlierAlertRank(rule.id(), seriesKey);
        }
        return status.isFiring() ? 0 : status.isInactive() ? 2 : 1;
    }

    /**
     * After a question, a task answers no other for this many times as long as it took: questions take at most a
     * quarter of its thread. Two clients asking a slow question over and over, each question stopped by its deadline,
     * kept a stream thread answering them back to back: it did not poll for minutes, was fenced out of its group and
     * lost its uncommitted work (a hostile-input audit); a probe's alert came five minutes late.
     */
    static final int REST_FACTOR = 3;

    /** The tasks' inboxes, each with the task it answers for. */
    private final Set<Inbox> inboxes = ConcurrentHashMap.newKeySet();
    private final java.util.function.LongSupplier nanoTime;

    public SeriesQuestions() {
        this(System::nanoTime);
    }

    /** @param nanoTime the clock a task's rest between questions is kept by */
    SeriesQuestions(final java.util.function.LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
    }

    /**
     * This instance's answer: the explanations kept (at most the limit asked, in {@link #order}), how many pairs of
     * rule and series matched in all, its peer tasks' last judgments of the outlier rules' groups, and the tasks that
     * did not answer in time (a task closed or moved by a rebalance, or busy past the wait), whose part is missing.
     */
    public record Answer(List<SeriesExplanation> kept, int matched, List<PeerJudgment> groups,
                         List<String> unanswered) {
    }

    /**
     * A task's answer: an evaluation task's explanations kept and how many pairs matched, or a peer task's groups'
     * last judgments for the outlier rules asked about.
     */
    public record TaskAnswer(List<SeriesExplanation> kept, int matched, List<PeerJudgment> groups) {
    }

    /** What answers in a task: its evaluator, series or peer groups. */
    public interface Answerer {
        TaskAnswer answer(SeriesFilter filter, int limit);
    }

    /** One question waiting in an inbox. */
    private record Asked(SeriesFilter filter, int limit, QuestionDeadline deadline,
                         CompletableFuture<TaskAnswer> answer) {
    }

    /** A task's inbox: opened when the task starts, closed when it closes. */
    public final class Inbox {
        private final String task;
        private final Queue<Asked> waiting = new ConcurrentLinkedQueue<>();
        /** Until when (the task's thread's own reading of {@link #nanoTime}) it answers no question. */
        private long restingUntil;

        private Inbox(final String task) {
            this.task = task;
            this.restingUntil = nanoTime.getAsLong();
        }

        /**
         * Answers a question waiting, on the task's own thread, unless it rests after the last one
         * ({@link #REST_FACTOR}); those whose asker stopped waiting are let go unanswered.
         */
        public void answer(final Answerer evaluator) {
            if (waiting.isEmpty() || nanoTime.getAsLong() - restingUntil < 0) {
                return;
            }
            for (Asked asked = waiting.poll(); asked != null; asked = waiting.poll()) {
                if (asked.deadline().passed()) {
                    asked.answer().completeExceptionally(new QuestionDeadline.Passed());
                    continue;
                }
                final long start = nanoTime.getAsLong();
                try {
                    asked.answer().complete(evaluator.answer(asked.filter(), asked.limit()));
                } catch (RuntimeException e) {
                    // A question must not stop the task: the asker reports the task as unanswered.
                    asked.answer().completeExceptionally(e);
                }
                final long end = nanoTime.getAsLong();
                restingUntil = end + REST_FACTOR * (end - start);
                return;
            }
        }

        /** How many questions wait. */
        int waiting() {
            return waiting.size();
        }

        /** The task closed: it answers no more, and what waits is answered as unanswered at once. */
        public void close() {
            inboxes.remove(this);
            for (Asked asked = waiting.poll(); asked != null; asked = waiting.poll()) {
                asked.answer().completeExceptionally(new IllegalStateException("task " + task + " closed"));
            }
        }
    }

    /** The inbox of a task starting; its evaluation answers what arrives there. */
    public Inbox open(final String task) {
        final Inbox inbox = new Inbox(task);
        inboxes.add(inbox);
        return inbox;
    }

    /**
     * Asks every task of this instance and waits for their answers, at most {@code wait} in all.
     *
     * @param filter which pairs of rule and series are asked about
     * @param limit  the most explanations to keep
     */
    public Answer ask(final SeriesFilter filter, final int limit, final Duration wait)
            throws InterruptedException {
        final Map<String, CompletableFuture<TaskAnswer>> asked = new java.util.TreeMap<>();
        final QuestionDeadline deadline = QuestionDeadline.after(wait);
        final SeriesFilter timed = filter.until(deadline);
        for (Inbox inbox : inboxes) {
            final CompletableFuture<TaskAnswer> answer = new CompletableFuture<>();
            inbox.waiting.add(new Asked(timed, limit, deadline, answer));
            asked.put(inbox.task, answer);
            if (!inboxes.contains(inbox)) {
                // Closed meanwhile: close() may have drained before the question arrived.
                answer.completeExceptionally(new IllegalStateException("task " + inbox.task + " closed"));
            }
        }
        final List<SeriesExplanation> kept = new ArrayList<>();
        final List<String> unanswered = new ArrayList<>();
        final List<PeerJudgment> groups = new ArrayList<>();
        int matched = 0;
        for (Map.Entry<String, CompletableFuture<TaskAnswer>> e : asked.entrySet()) {
            try {
                final TaskAnswer explained = e.getValue()
                        .get(deadline.nanosLeft(), TimeUnit.NANOSECONDS);
                kept.addAll(explained.kept());
                matched += explained.matched();
                groups.addAll(explained.groups());
            } catch (ExecutionException | TimeoutException notAnswered) {
                unanswered.add(e.getKey());
            }
        }
        kept.sort(order(filter));
        return new Answer(List.copyOf(kept.subList(0, Math.min(limit, kept.size()))), matched, groups, unanswered);
    }
}
