package io.vigil.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vigil.evaluation.AlertState;
import io.vigil.evaluation.SeriesExplanation;
import io.vigil.evaluation.LabelsFilter;
import io.vigil.evaluation.SeriesQuestions;
import io.vigil.evaluation.TaskEvaluator;
import io.vigil.model.Labels;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Questions about series reach the evaluation tasks of the real topology and are answered on the task's thread, at
 * its quiet check; a task that does not answer is named, never waited for beyond the wait.
 */
class SeriesQuestionsTopologyTest {

    private static final long T0 = Instant.parse("2022-06-21T06:00:00Z").toEpochMilli();

    @TempDir
    Path stateDir;

    /** Asks on another thread, as the HTTP API does, while this one runs the driver's punctuations. */
    private static SeriesQuestions.Answer ask(final TopologyFixture fixture, final String instance) {
        final CompletableFuture<SeriesQuestions.Answer> answer = CompletableFuture.supplyAsync(() -> {
            try {
                return fixture.questions.ask(LabelsFilter.of(labels -> instance.equals(labels.get("instance"))), 10,
                        Duration.ofSeconds(30));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            fixture.driver.advanceWallClockTime(Duration.ofMillis(100));
            return answer.isDone();
        });
        return answer.join();
    }

    @Test
    void theTopologysTasksAnswerWithWhatTheirRulesMakeOfTheSeries() {
        try (TopologyFixture fixture = new TopologyFixture(TopologyTest.RULES, stateDir, Instant.ofEpochMilli(T0))) {
            for (int i = 1; i <= 8; i++) {
                fixture.send(TopologyTest.point("n1", i >= 3 ? 95 : 40, T0 + i * 10_000L));
                fixture.send(TopologyTest.point("n2", 40, T0 + i * 10_000L));
            }
            final SeriesQuestions.Answer hot = ask(fixture, "n1");
            assertThat(hot.unanswered()).isEmpty();
            assertThat(hot.matched()).isEqualTo(1);
            final SeriesExplanation n1 = hot.kept().get(0);
            assertThat(n1.rule().id()).isEqualTo("nodes/CpuHigh");
            assertThat(n1.series().labels()).isEqualTo(Labels.of("instance", "n1", "cluster", "backend"));
            assertThat(n1.status().state()).isEqualTo(AlertState.FIRING);
            assertThat(n1.value()).isEqualTo(95);
            assertThat(n1.holds()).isEqualTo(SeriesExplanation.Holds.YES);

            final SeriesExplanation n2 = ask(fixture, "n2").kept().get(0);
            assertThat(n2.status().isInactive()).isTrue();
            assertThat(n2.value()).isEqualTo(40);
            assertThat(n2.holds()).isEqualTo(SeriesExplanation.Holds.NO);
            assertThat(n2.at()).isEqualTo(n1.at());

            assertThat(ask(fixture, "n3").matched()).isZero();
        }
    }

    /** The peer stage's tasks answer too, with each group's last judgment, which the series' value is set against. */
    @Test
    void thePeerStageAnswersWithItsGroupsLastJudgments() {
        final String rules = """
                groups:
                  - name: web
                    every: 10s
                    rules:
                      - alert: NodeFarBelowPeers
                        series: net{cluster="backend"}
                        aggregate: avg
                        window: 30s
                        outlier: {peers: [cluster], direction: low, z: 3, min_peers: 4}
                        for: 5m
                """;
        try (TopologyFixture fixture = new TopologyFixture(rules, stateDir, Instant.ofEpochMilli(T0))) {
            for (int i = 1; i <= 12; i++) {
                for (int n = 1; n <= 5; n++) {
                    final double bytes = n == 5 ? 3 : 2400 + 20 * n;
                    fixture.send(TopologyFixture.point("net", java.util.Map.of("instance", "n" + n, "cluster", "backend"),
                            bytes, T0 + i * 10_000L));
                }
            }
            final SeriesQuestions.Answer answer = ask(fixture, "n5");
            assertThat(answer.unanswered()).isEmpty();
            final SeriesExplanation n5 = answer.kept().get(0);
            assertThat(n5.holds()).isEqualTo(SeriesExplanation.Holds.PEERS);
            assertThat(n5.value()).isEqualTo(3);
            assertThat(answer.groups()).hasSize(1);
            final io.vigil.evaluation.PeerJudgment group = answer.groups().get(0);
            assertThat(group.ruleId()).isEqualTo("web/NodeFarBelowPeers");
            assertThat(group.peers()).isEqualTo(java.util.Map.of("cluster", "backend"));
            assertThat(group.members()).isEqualTo(5);
            assertThat(group.median()).isEqualTo(2440); // of 3, 2420, 2440, 2460, 2480
            assertThat(group.at()).isLessThan(n5.at());
            assertThat(group.isOutlier(n5.value(), (io.vigil.rules.Condition.Outlier) n5.rule().condition())).isTrue();
        }
    }

    @Test
    void aTaskThatDoesNotAnswerWithinTheWaitIsNamedAndAClosedOneAtOnce() throws Exception {
        final SeriesQuestions questions = new SeriesQuestions();
        final SeriesQuestions.Inbox silent = questions.open("0_0");
        // Nobody answers for task 0_0: the answer comes after the wait, without its series, naming it.
        final SeriesQuestions.Answer late = questions.ask(LabelsFilter.of(labels -> true), 10, Duration.ofMillis(50));
        assertThat(late.unanswered()).containsExactly("0_0");
        assertThat(late.kept()).isEmpty();

        final SeriesQuestions.Inbox other = questions.open("0_1");
        final CompletableFuture<SeriesQuestions.Answer> answer = CompletableFuture.supplyAsync(() -> {
            try {
                return questions.ask(LabelsFilter.of(labels -> true), 10, Duration.ofMinutes(5));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        // Task 0_1 answers (it holds nothing), task 0_0 closes: the answer does not wait out the five minutes.
        final TaskEvaluator empty = new TaskEvaluator(new io.vigil.evaluation.RuleIndex(TopologyFixture.parse(
                TopologyTest.RULES)), 15_000, 86_400_000, new io.vigil.evaluation.EventClock(1));
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            other.answer(empty::explain);
            silent.close();
            return answer.isDone();
        });
        assertThat(answer.join().unanswered()).containsExactly("0_0");
        assertThat(answer.join().matched()).isZero();
        // Closed, it is no longer asked.
        assertThat(questions.ask(LabelsFilter.of(labels -> true), 10, Duration.ofMillis(50)).unanswered()).containsExactly("0_1");
    }

    /** A task answering on its stream thread does not start on a question whose asker has stopped waiting. */
    @Test
    void aQuestionAskedLongerAgoThanItsWaitIsNotAnswered() throws Exception {
        final SeriesQuestions questions = new SeriesQuestions();
        final SeriesQuestions.Inbox inbox = questions.open("0_0");
        assertThat(questions.ask(LabelsFilter.of(labels -> true), 10, Duration.ZERO).unanswered())
                .containsExactly("0_0");
        final java.util.concurrent.atomic.AtomicInteger answered = new java.util.concurrent.atomic.AtomicInteger();
        inbox.answer((filter, limit) -> {
            answered.incrementAndGet();
            return new SeriesQuestions.TaskAnswer(List.of(), 0, List.of());
        });
        assertThat(answered).hasValue(0);
    }
}
