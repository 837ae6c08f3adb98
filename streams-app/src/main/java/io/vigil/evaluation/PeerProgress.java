package io.vigil.evaluation;

/**
 * A series task has evaluated every instant up to {@code evaluatedThrough - grace} and sent all its peer values for
 * them. Broadcast to every peer-group task.
 *
 * @param evaluator        the series task's partition
 * @param evaluatedThrough the low watermark it acted on
 */
public record PeerProgress(int evaluator, long evaluatedThrough) implements EvaluationOutput {
}
