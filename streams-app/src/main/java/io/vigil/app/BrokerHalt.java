package io.vigil.app;

import java.util.function.IntConsumer;
import org.apache.kafka.common.utils.Exit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded broker halts the JVM on a fault it cannot live with (every log directory failed: the data directory
 * removed, or its disk gone), through Kafka's {@link Exit#halt}: no shutdown hook runs, so Vigil said nothing, and the
 * last lines were Kafka's stack traces (found by a failure-mode audit, 2026-12-06). This says it in Vigil's words first.
 */
final class BrokerHalt {

    private static final Logger LOG = LoggerFactory.getLogger(BrokerHalt.class);

    private BrokerHalt() {
    }

    /** From now on, a halt by the embedded broker is logged at ERROR before the JVM halts. */
    static void logBeforeHalting() {
        Exit.setHaltProcedure(procedure(Runtime.getRuntime()::halt));
    }

    /** @param halt what halts the JVM with a status; a test's records it */
    static Exit.Procedure procedure(final IntConsumer halt) {
        return (status, message) -> {
            LOG.error("The embedded Kafka broker halts Vigil at once (exit {}), with no clean stop: {}. Where its data"
                    + " directory was removed or its disk failed, the broker's topics and Vigil's state are gone with"
                    + " it; a restart starts both anew", status,
                    message == null ? "the broker's line before this one says why" : message);
            halt.accept(status);
        };
    }
}
