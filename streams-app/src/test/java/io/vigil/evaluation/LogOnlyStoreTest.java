package io.vigil.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.StateRestoreCallback;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The series store's bottom: it keeps records only while no evaluator holds them. */
class LogOnlyStoreTest {

    private final LogOnlyStore store = new LogOnlyStore("s");
    private final AtomicReference<StateRestoreCallback> restore = new AtomicReference<>();

    @BeforeEach
    void open() {
        store.init(contextCapturingRestore(), store);
    }

    /** A store context that only records the restore callback a store registers, as Kafka Streams would call it. */
    private StateStoreContext contextCapturingRestore() {
        return (StateStoreContext) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {StateStoreContext.class}, (proxy, method, args) -> {
                    if (method.getName().equals("register")) {
                        restore.set((StateRestoreCallback) args[1]);
                        return null;
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
    }

    private static Bytes key(final String key) {
        return Bytes.wrap(key.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] value(final String value) {
        return value.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void anEvaluatorTakesWhatTheRestoreBroughtAndTheStoreKeepsNothingWhileItHoldsThem() {
        restore.get().restore(value("a"), value("1"));
        restore.get().restore(value("b"), value("1"));
        restore.get().restore(value("a"), value("2"));
        restore.get().restore(value("b"), null);

        assertThat(store.take()).containsOnlyKeys(key("a")).hasEntrySatisfying(key("a"),
                v -> assertThat(v).isEqualTo(value("2")));

        store.put(key("c"), value("3"));
        assertThat(store.get(key("c"))).isNull();
        assertThat(store.approximateNumEntries()).isZero();
    }

    @Test
    void aSecondEvaluatorCannotStartFromNothing() {
        store.take();

        assertThatThrownBy(store::take).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("restored from its changelog");
    }

    @Test
    void whatAnEvaluatorHandsBackIsEncodedOnlyWhenRead() {
        store.take();
        final AtomicInteger encoded = new AtomicInteger();
        store.handBack(() -> {
            encoded.incrementAndGet();
            return Map.of(key("a"), value("5"));
        });
        assertThat(encoded).hasValue(0);

        // A standby keeps restoring on top of it.
        restore.get().restore(value("b"), value("6"));
        assertThat(encoded).hasValue(1);
        assertThat(store.take()).containsOnlyKeys(key("a"), key("b"));
        assertThat(encoded).hasValue(1);
    }

    @Test
    void closingForgetsEverything() {
        store.take();
        store.handBack(() -> Map.of(key("a"), value("5")));
        store.close();
        store.init(contextCapturingRestore(), store);

        assertThat(store.take()).isEmpty();
    }
}
