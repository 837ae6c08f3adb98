package io.vigil.app;

/** Settings the integration tests' own producers share. */
public final class TestProducers {

    /**
     * {@code max.in.flight.requests.per.connection = 1}. A test writes to a topic it has just created; the broker may
     * refuse the first batch (NOT_LEADER_OR_FOLLOWER: the new partition's leadership has not reached it yet) while
     * later batches of the same idempotent producer, sent behind it, are already accepted. The first batch's retry
     * then carries a sequence the broker has passed, and is refused as out of order for ever (seen once in CI:
     * one dead-letter record of five never arrived). One batch in flight keeps the batches in order.
     */
    public static final String ONE_BATCH_IN_FLIGHT = "max.in.flight.requests.per.connection";

    private TestProducers() {
    }
}
