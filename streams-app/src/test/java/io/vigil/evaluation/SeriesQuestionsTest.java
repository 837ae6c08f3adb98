package io.vigil.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * A task's share of questions: after answering one, it rests three times as long as that took, so that questions
 * asked back to back (two clients repeating a slow one) leave its stream thread three quarters of its time.
 */
class SeriesQuestionsTest {

    @Test
    void afterAQuestionATaskRestsThreeTimesAsLongAsItTook() {
        final AtomicLong now = new AtomicLong();
        final SeriesQuestions questions = new SeriesQuestions(now::get);
        final SeriesQuestions.Inbox inbox = questions.open("0_0");
        final List<CompletableFuture<SeriesQuestions.Answer>> asked = List.of(ask(questions), ask(questions));
        await().atMost(Duration.ofSeconds(30)).until(() -> inbox.waiting() == 2);
        final AtomicInteger answered = new AtomicInteger();
        final SeriesQuestions.Answerer oneSecondEach = (filter, limit) -> {
            answered.incrementAndGet();
            now.addAndGet(1_000_000_000L);
            return new SeriesQuestions.TaskAnswer(List.of(), 0, List.of());
        };

        inbox.answer(oneSecondEach);
        assertThat(answered).as("one question at a time").hasValue(1);
        now.set(3_999_999_999L);
        inbox.answer(oneSecondEach);
        assertThat(answered).as("resting three seconds after a question of one").hasValue(1);
        now.set(4_000_000_000L);
        inbox.answer(oneSecondEach);
        assertThat(answered).hasValue(2);
        asked.forEach(a -> assertThat(a.join().unanswered()).isEmpty());
    }

    private static CompletableFuture<SeriesQuestions.Answer> ask(final SeriesQuestions questions) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return questions.ask(LabelsFilter.of(labels -> true), 10, Duration.ofMinutes(5));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
    }
}
