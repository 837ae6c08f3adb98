package io.vigil.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code vigil produce} against a real broker: each line of its files one record, and what it refuses, said. */
class ProduceCommandIT {

    @RegisterExtension
    static final EmbeddedBroker broker = new EmbeddedBroker();

    @TempDir
    Path dir;

    @BeforeAll
    static void topics() throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic("metrics", 2, (short) 1))).all().get();
            TopicSetup.awaitLeaders(admin, List.of("metrics"), Duration.ofSeconds(30));
        }
    }

    @Test
    void writesEachLineOfItsFilesAsOneRecordWithoutAKey() throws Exception {
        final Path first = Files.writeString(dir.resolve("a.jsonl"), """
                {"name":"cpu_usage_percent","labels":{"instance":"node-1"},"value":97,"timestamp":1655793000000}

                {"name":"cpu_usage_percent","labels":{"instance":"node-2"},"value":12,"timestamp":1655793000000}
                """);
        final Path second = Files.writeString(dir.resolve("b.lp"), "cpu,host=node-3 usage_user=5 1655793000000000000");

        final CommandRun run = CommandRun.vigil("produce", "--bootstrap-servers", broker.bootstrapServers(),
                first.toString(), second.toString());

        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.err()).isEqualTo("produced 3 record(s) to metrics at " + broker.bootstrapServers()
                + System.lineSeparator());
        final List<String> values = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers",
                broker.bootstrapServers(), "group.id", "produce-it", "auto.offset.reset", "earliest"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of("metrics"));
            final long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (values.size() < 3 && System.nanoTime() < until) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    assertThat(r.key()).isNull();
                    values.add(new String(r.value(), StandardCharsets.UTF_8));
                }
            }
        }
        assertThat(values).containsExactlyInAnyOrder(
                "{\"name\":\"cpu_usage_percent\",\"labels\":{\"instance\":\"node-1\"},\"value\":97,\"timestamp\":1655793000000}",
                "{\"name\":\"cpu_usage_percent\",\"labels\":{\"instance\":\"node-2\"},\"value\":12,\"timestamp\":1655793000000}",
                "cpu,host=node-3 usage_user=5 1655793000000000000");
    }

    @Test
    void aTopicTheBrokerDoesNotHaveIsRefusedSayingSo() throws Exception {
        final Path file = Files.writeString(dir.resolve("a.jsonl"), "{}\n");

        final CommandRun run = CommandRun.vigil("produce", "--bootstrap-servers", broker.bootstrapServers(),
                "--topic", "metrcis", file.toString());

        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).contains("--topic: metrcis does not exist at " + broker.bootstrapServers()
                + " (`vigil run` creates its input topics as it starts)").doesNotContain("Exception");
    }

    @Test
    void withoutAKafkaToWriteToItSaysWhereToFindOne() {
        final CommandRun run = CommandRun.vigil("produce", dir.resolve("none.jsonl").toString());

        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).contains("--bootstrap-servers: no Kafka to write to; give the one `vigil run` reads");
    }
}
