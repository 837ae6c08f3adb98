package io.vigil.evaluation;

/**
 * The evaluation state was placed on tasks another way than the configuration now places series
 * ({@code topics.partitioned_by_series} changed): a user's change to undo, not a bug, so it is reported by its message
 * alone.
 */
public final class StatePlacementChanged extends IllegalStateException {

    public StatePlacementChanged(final String message) {
        super(message);
    }
}
