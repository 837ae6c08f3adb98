package io.vigil.evaluation;

import java.util.function.IntUnaryOperator;
import java.util.function.Predicate;

/**
 * The input partitions (sources, named {@code topic/partition}) an evaluation task waits to hear from: how many, and
 * which are inputs now. A task's clock, restored from its store, may name a source of a topic since taken out of
 * {@code topics.metrics}: nothing reads it any more to send its watermark or announce it idle, so kept, it would hold
 * event time back for good; so would a partition of a topic deleted and made again with fewer.
 *
 * @param countOfTask how many sources the evaluator of a task (by its partition) waits to hear from
 * @param isInput     whether a source is a partition of an input topic now
 */
public record InputSources(IntUnaryOperator countOfTask, Predicate<String> isInput) {

    /** {@code count} sources for every task, whatever their names: evaluation without the topology's settings. */
    public static InputSources any(final int count) {
        return new InputSources(task -> count, source -> true);
    }

    /**
     * The partition of a source's name; 0 for a name without one. A topic deleted and made again with fewer partitions
     * (Kafka cannot take partitions away) leaves sources of partitions it no longer has.
     */
    public static int partitionOf(final String source) {
        final int slash = source.lastIndexOf('/');
        try {
            return slash < 0 ? 0 : Integer.parseInt(source.substring(slash + 1));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** The topic of a source's name. */
    public static String topicOf(final String source) {
        final int slash = source.lastIndexOf('/');
        return slash < 0 ? source : source.substring(0, slash);
    }
}
