package io.vigil.app;

/**
 * {@link IngestTopologyTest} where the input is partitioned by series: ingest's points go to the evaluator of its own
 * task, its dead letters still to their topic.
 */
class IngestTopologyInTaskTest extends IngestTopologyTest {

    @Override
    boolean partitionedBySeries() {
        return true;
    }
}
