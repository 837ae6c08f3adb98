package io.vigil.delivery;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.vigil.alerts.AlertEvent;
import io.vigil.alerts.AlertEventJson;
import io.vigil.alerts.EventStatus;
import io.vigil.model.LogPacing;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pushes alerts to a real Alertmanager the way Prometheus does, so teams keep their routing, grouping, silences and
 * pagers (formats.md): every firing alert is sent again each {@code resend_interval} with {@code endsAt = now + 4 x
 * resend_interval}, and a resolved alert is sent with its real {@code endsAt} for 15 minutes from when its resolution
 * was written to the alerts topic.
 *
 * <p>Alertmanager keeps nothing across its restarts, so neither does this: on start it reads the alerts topic from the
 * beginning to know which alerts are firing, pushes once it has read up to where the topic ended at start, and from
 * then on follows it. A restart of either side loses nothing: the next resend puts every firing alert back.
 *
 * <p>Every instance of an application pushes every alert, so what one holds can be behind what another has pushed:
 * a resend first reads up to where the topic ends, and after a pause of this thread it pushes nothing until it has
 * (design.md, "Delivery").
 */
final class AlertmanagerPush implements Restarting.Worker {

    private static final Logger LOG = LoggerFactory.getLogger(AlertmanagerPush.class);
    private static final JsonFactory JSON = new JsonFactory();

    /**
     * The latest event of one alert and, for a resolved one, when it resolved as far as the push goes: its record's
     * timestamp (the alerts topic's LogAppendTime), at most now; null while firing.
     */
    private record Tracked(AlertEvent event, Instant resolvedAt) {
    }

    private final AlertmanagerReceiver receiver;
    private final Map<String, Object> kafka;
    private final String alertsTopic;
    private final HttpClient http;
    private final Clock clock;
    private final DeliveryMetrics metrics;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final Map<String, Tracked> alerts = new HashMap<>();
    /**
     * The alerts whose change read from the topic is in no push Alertmanager accepted yet: the receiver's
     * {@code vigil_delivery_backlog}. It rises while Alertmanager is down or refuses, and is 0 again after the first push
     * it accepts (each resend carries every alert), as a webhook's backlog is once its events are delivered.
     */
    private final Set<String> unsent = new HashSet<>();
    /** The alerts this push has sent Alertmanager as firing, and not as resolved since. */
    private final Set<String> toldFiring = new HashSet<>();
    /** {@link #afterPause}'s INFO lines, one every 10 minutes: a slow Alertmanager would have it say so each push. */
    private final LogPacing.Single pauseLog = new LogPacing.Single(LogPacing.TEN_MINUTES_MS);

    AlertmanagerPush(final AlertmanagerReceiver receiver, final Map<String, Object> kafka, final String alertsTopic,
                     final HttpClient http, final Clock clock, final DeliveryMetrics metrics) {
        this.receiver = receiver;
        this.kafka = Map.copyOf(kafka);
        this.alertsTopic = alertsTopic;
        this.http = http;
        this.clock = clock;
        this.metrics = metrics;
    }

    @Override
    public void stop() {
        stopped.countDown();
    }

    @Override
    public void run() {
        final Properties props = new Properties();
        props.putAll(kafka);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            // No group: the whole topic is read on every start, to rebuild what Alertmanager must be told.
            final List<TopicPartition> partitions = new ArrayList<>();
            for (PartitionInfo p : consumer.partitionsFor(alertsTopic, Duration.ofSeconds(30))) {
                partitions.add(new TopicPartition(alertsTopic, p.partition()));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            // Nothing is pushed before the topic is read up to where it ended at start: an alert's old firing event,
            // read in one poll before its resolution in the next, was pushed and paged for a problem long over.
            ReadTo holdUntil = new ReadTo(consumer.endOffsets(partitions, Duration.ofSeconds(30)), Instant.MAX);
            // Where the topic ended when the resend now due asked; null while none waits for it.
            ReadTo resendAfter = null;
            Instant nextResend = clock.instant();
            long checkedAt = System.nanoTime();
            Instant checkedAtWall = clock.instant();
            boolean caughtUp = false;
            // The alerts read while a pause's hold waited, pushed as they stand once it is over: not every alert, as
            // after the start, or a push slow to be answered (a pause to this thread) made every push a resend.
            final Set<String> heldChanges = new LinkedHashSet<>();
            while (stopped.getCount() > 0) {
                final Set<String> changed = new LinkedHashSet<>();
                final ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(200));
                // From one check to the next: a pause anywhere in an iteration, its wait, its poll, the reading of
                // what the poll brought or a push, is one between reads. Measured from the end of the last iteration
                // only, a SIGSTOP while an iteration pushed or read its records went unseen, and an alert that fired
                // and resolved meanwhile was pushed firing (FrozenDeliveryIT, once in a loaded run).
                final boolean wasPaused = paused(checkedAt, checkedAtWall);
                checkedAt = System.nanoTime();
                checkedAtWall = clock.instant();
                if (holdUntil == null && wasPaused) {
                    holdUntil = afterPause(consumer, partitions);
                }
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    final Optional<AlertEvent> read = read(r);
                    if (read.isPresent() && read.get().status() != EventStatus.PENDING && wanted(read.get())) {
                        track(read.get(), r.timestamp(), clock.instant());
                        changed.add(read.get().fingerprint());
                    }
                }
                // Each alert changed as it stands now, once: an alert that fired and resolved in one poll is pushed
                // resolved, and one whose resolution is too old to re-send is not pushed at all (not even firing).
                changed.retainAll(alerts.keySet());
                unsent.addAll(changed);
                unsent.retainAll(alerts.keySet());
                List<AlertEvent> fresh = changed.stream().map(alerts::get).map(Tracked::event).toList();
                final Instant now = clock.instant();
                if (holdUntil != null) {
                    heldChanges.addAll(changed);
                    if (reached(consumer, partitions, holdUntil, now)) {
                        holdUntil = null;
                        if (!caughtUp) {
                            caughtUp = true;
                            nextResend = now; // the first push, once caught up, is every alert as it stands
                        } else {
                            fresh = heldChanges.stream().filter(alerts::containsKey).map(alerts::get)
                                    .map(Tracked::event).toList();
                        }
                        heldChanges.clear();
                    }
                }
                if (holdUntil == null && !now.isBefore(nextResend)) {
                    // Every alert as this push holds it: first read what the topic has now, or another instance's
                    // resolve written since the last poll would be overwritten by the firing held here.
                    resendAfter = resendAfter != null ? resendAfter : ends(consumer, partitions, now);
                    if (reached(consumer, partitions, resendAfter, now)) {
                        pushed(current(now));
                        nextResend = now.plus(receiver.resendInterval());
                        resendAfter = null;
                    } else if (!fresh.isEmpty()) {
                        pushed(fresh);
                    }
                } else if (holdUntil == null && !fresh.isEmpty()) {
                    pushed(fresh);
                }
                metrics.backlog(receiver.name(), unsent.size());
                if (stopped.await(50, TimeUnit.MILLISECONDS)) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.error("push to Alertmanager {} failed: {}", receiver.name(), e.toString());
        }
    }

    /**
     * Offsets to read up to before a push, and when to push anyway: a wait that never ends (Kafka lost while behind)
     * would leave Alertmanager without resends, and it expires every alert still firing after 4 x resend_interval.
     *
     * @param ends     per partition; null where Kafka did not say (no wait)
     * @param giveUpAt when the push goes on without having read that far
     */
    private record ReadTo(Map<TopicPartition, Long> ends, Instant giveUpAt) {
    }

    /**
     * Whether this thread was paused since its last check (a long collector pause, SIGSTOP, a frozen container or
     * VM): longer than an iteration's wait, poll, reading and push take, by the monotonic clock or the wall clock (a
     * guest suspended whole may not advance the first). A push slower than that counts too: a pause within one
     * cannot be told from it, and reading to where the topic ends before the next push costs little.
     */
    private boolean paused(final long checkedAt, final Instant checkedAtWall) {
        return System.nanoTime() - checkedAt > PAUSE.toNanos()
                || Duration.between(checkedAtWall, clock.instant()).compareTo(PAUSE) > 0;
    }

    /**
     * Where to read to before pushing again after a pause: meanwhile another instance may have pushed a resolve, and
     * what this one holds would put the alert back (a multi-instance audit saw a thawed instance do it in 4 of 5
     * pauses, and after one of 16 minutes Alertmanager paged again for an incident long resolved).
     */
    private ReadTo afterPause(final KafkaConsumer<byte[], byte[]> consumer, final List<TopicPartition> partitions) {
        final ReadTo to = ends(consumer, partitions, clock.instant());
        if (to.ends() != null) {
            final boolean info = pauseLog.due(clock.millis());
            if (info || LOG.isDebugEnabled()) {
                final String message = "Alertmanager {}: more than {} ms between reads of the alerts topic (this"
                        + " process paused, or a push slow to be answered); pushing nothing until it has read what was"
                        + " written meanwhile";
                if (info) {
                    LOG.info(message, receiver.name(), PAUSE.toMillis());
                } else {
                    LOG.debug(message, receiver.name(), PAUSE.toMillis());
                }
            }
        }
        return to;
    }

    /**
     * Where each partition of the alerts topic ends now (its last stable offset, as read_committed reads it), to be
     * read within one resend_interval from {@code now}. Kafka is given at most half a resend_interval to say (1 to 5
     * s): where it does not, what this push holds is sent as it is, as while Kafka is out of reach.
     */
    private ReadTo ends(final KafkaConsumer<byte[], byte[]> consumer, final List<TopicPartition> partitions,
                        final Instant now) {
        final Duration ask = receiver.resendInterval().dividedBy(2);
        final Duration timeout = ask.compareTo(ASK_AT_LEAST) < 0 ? ASK_AT_LEAST : ask.compareTo(ASK_AT_MOST) > 0
                ? ASK_AT_MOST : ask;
        try {
            return new ReadTo(consumer.endOffsets(partitions, timeout), now.plus(receiver.resendInterval()));
        } catch (KafkaException e) {
            LOG.debug("Alertmanager {}: could not ask where the alerts topic ends: {}", receiver.name(), e.toString());
            return new ReadTo(null, now);
        }
    }

    /** Whether this push has read every partition up to {@code to}, or may no longer wait for it. */
    private boolean reached(final KafkaConsumer<byte[], byte[]> consumer, final List<TopicPartition> partitions,
                            final ReadTo to, final Instant now) {
        if (to.ends() == null || partitions.stream().allMatch(tp -> consumer.position(tp) >= to.ends().get(tp))) {
            return true;
        }
        if (now.isAfter(to.giveUpAt())) {
            LOG.warn("Alertmanager {}: not read up to where the alerts topic ended within {} (Kafka out of reach, or"
                    + " far behind); pushing what it holds, as Alertmanager would otherwise expire alerts still firing",
                    receiver.name(), receiver.resendInterval());
            return true;
        }
        return false;
    }

    /**
     * The alert event a record holds, or empty for one that is not an alert event (not the engine's): skipped, counted
     * and logged, as webhook delivery does. It must not end the push, since every start reads the topic again from the
     * beginning and would meet it again until retention removes it.
     */
    Optional<AlertEvent> read(final ConsumerRecord<byte[], byte[]> record) {
        try {
            return Optional.of(AlertEventJson.read(record.value()));
        } catch (RuntimeException e) {
            metrics.skipped(receiver.name(), "malformed");
            LOG.warn("Alertmanager {}: skipped a record that is not an alert event, {}-{} offset {} ({})",
                    receiver.name(), record.topic(), record.partition(), record.offset(), e.getMessage());
            return Optional.empty();
        }
    }

    /**
     * Keeps {@code e} as its alert's state, or forgets the alert when {@code e} resolved it more than 15 minutes ago,
     * unless this push told Alertmanager it fires: then the resolution is pushed for 15 minutes from now, as one read
     * late (after a long pause, a firing pushed before it must not stand until Alertmanager lets it expire).
     * The 15 minutes count from when the resolution was written to the alerts topic ({@code writtenAt}, the record's
     * timestamp, LogAppendTime there), not from when this push read it: every start reads the topic from the
     * beginning, and until 2026-12-07 every alert that had resolved within its retention (some in 2022) was pushed to
     * Alertmanager again for 15 minutes after each restart. It is capped at now: a broker clock ahead of this one must
     * not make a resolution last longer.
     *
     * @param writtenAt the record's timestamp, ms since the epoch; negative when it has none (then: now)
     */
    private void track(final AlertEvent e, final long writtenAt, final Instant now) {
        if (e.status() != EventStatus.RESOLVED) {
            alerts.put(e.fingerprint(), new Tracked(e, null));
            return;
        }
        final Instant resolvedAt = writtenAt < 0 ? now : earlier(Instant.ofEpochMilli(writtenAt), now);
        if (resolvedAt.plus(AlertmanagerReceiver.RESOLVED_RESEND).isBefore(now)) {
            if (toldFiring.contains(e.fingerprint())) {
                alerts.put(e.fingerprint(), new Tracked(e, now));
            } else {
                alerts.remove(e.fingerprint());
            }
        } else {
            alerts.put(e.fingerprint(), new Tracked(e, resolvedAt));
        }
    }

    /**
     * Firing alerts, and alerts resolved less than 15 minutes ago; forgets older resolved ones, in the backlog too: a
     * resolution that no push carried within its 15 minutes is no longer sent (formats.md), so it no longer waits.
     */
    private List<AlertEvent> current(final Instant now) {
        alerts.values().removeIf(t -> t.resolvedAt() != null
                && t.resolvedAt().plus(AlertmanagerReceiver.RESOLVED_RESEND).isBefore(now));
        unsent.retainAll(alerts.keySet());
        toldFiring.retainAll(alerts.keySet());
        return alerts.values().stream().map(Tracked::event).toList();
    }

    /** Pushes {@code events}; if Alertmanager accepts them, their changes are delivered and leave the backlog. */
    private void pushed(final List<AlertEvent> events) {
        // Told whatever the answer: a push whose answer was lost may have reached Alertmanager.
        for (AlertEvent e : events) {
            if (e.status() == EventStatus.RESOLVED) {
                toldFiring.remove(e.fingerprint());
            } else {
                toldFiring.add(e.fingerprint());
            }
        }
        if (push(events)) {
            int delivered = 0;
            for (AlertEvent e : events) {
                delivered += unsent.remove(e.fingerprint()) ? 1 : 0;
            }
            metrics.delivered(receiver.name(), delivered);
        }
    }

    private boolean wanted(final AlertEvent e) {
        return receiver.match().map(m -> m.matchers().stream().allMatch(x -> x.matches(e.labels()))).orElse(true);
    }

    /**
     * Posts {@code events} to Alertmanager once; a failure is logged, and they are sent again at the next resend.
     *
     * @return whether Alertmanager accepted them (2xx); true for none
     */
    boolean push(final List<AlertEvent> events) {
        if (events.isEmpty()) {
            return true;
        }
        final long started = System.nanoTime();
        final Instant now = clock.instant();
        final Instant endsAtWhileFiring = now.plus(receiver.resendInterval().multipliedBy(4));
        final HttpRequest request = HttpRequest.newBuilder(URI.create(receiver.url().toString().replaceAll("/+$", "")
                        + "/api/v2/alerts"))
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .header("User-Agent", Delivery.USER_AGENT)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body(events, now, endsAtWhileFiring)))
                .build();
        try {
            // The body as a stream, of which at most its first bytes are read: held whole, whatever answered at that
            // address could make it any size (security audit; the webhooks' sender never reads one).
            final HttpResponse<java.io.InputStream> response = http.send(request,
                    HttpResponse.BodyHandlers.ofInputStream());
            final boolean ok = response.statusCode() / 100 == 2;
            metrics.attempt(receiver.name(), ok ? "delivered" : "retry", System.nanoTime() - started);
            try (java.io.InputStream body = response.body()) {
                if (!ok) {
                    // Its body says why (a 400 names the alert it refused and for what): the status alone left that to
                    // Alertmanager's own log.
                    LOG.warn("Alertmanager {} answered {} to {} alert(s); they are sent again at the next resend: {}",
                            receiver.name(), response.statusCode(), events.size(), excerpt(new String(
                                    body.readNBytes(BODY_READ), java.nio.charset.StandardCharsets.UTF_8)));
                }
            }
            return ok;
        } catch (IOException e) {
            metrics.attempt(receiver.name(), "retry", System.nanoTime() - started);
            LOG.warn("Alertmanager {} is not reachable ({}); {} alert(s) are sent again at the next resend",
                    receiver.name(), e.getClass().getSimpleName(), events.size());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return false;
    }

    /**
     * A longer time from one poll's return to the next's than an iteration's wait, poll, reading and push take (50 and
     * 200 ms, a fetch, a few records, a request to Alertmanager) is a pause of this thread, after which it reads before
     * it pushes ({@link #afterPause}).
     */
    private static final Duration PAUSE = Duration.ofSeconds(2);
    /** The bounds of the wait for where the topic ends: the broker answers behind a fetch it holds (up to 500 ms). */
    private static final Duration ASK_AT_LEAST = Duration.ofSeconds(1);
    private static final Duration ASK_AT_MOST = Duration.ofSeconds(5);

    /** How much of an answer's body is read: enough for {@link #excerpt}'s 300 characters. */
    private static final int BODY_READ = 4096;

    /** At most 300 characters of an answer's body, on one line. */
    static String excerpt(final String body) {
        final String line = body == null ? "" : body.strip().replaceAll("\\s+", " ");
        return line.isEmpty() ? "(no body)" : line.length() <= 300 ? line : line.substring(0, 300) + "...";
    }

    /**
     * Alertmanager's postable alerts: labels, annotations, startsAt, endsAt, generatorURL. Alertmanager reads the times
     * by its wall clock, and Vigil's are event times, which may run ahead of it (by up to {@code max_future_skew}, a
     * producer's clock running fast): so neither time goes past {@code now}. A firing alert starting after its
     * {@code endsAtWhileFiring} was refused ("start time must be before end time", 400 at every resend: the page never
     * reached Alertmanager), and a resolved one ending in the future stayed firing there until then.
     */
    static byte[] body(final List<AlertEvent> events, final Instant now, final Instant endsAtWhileFiring) {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JsonGenerator g = JSON.createGenerator(bytes)) {
            g.writeStartArray();
            for (AlertEvent e : events) {
                g.writeStartObject();
                g.writeObjectFieldStart("labels");
                for (Map.Entry<String, String> l : e.labels().toMap().entrySet()) {
                    g.writeStringField(l.getKey(), l.getValue());
                }
                g.writeEndObject();
                g.writeObjectFieldStart("annotations");
                for (Map.Entry<String, String> a : new java.util.TreeMap<>(e.annotations()).entrySet()) {
                    g.writeStringField(a.getKey(), a.getValue());
                }
                g.writeEndObject();
                g.writeStringField("startsAt", earlier(e.startsAt().orElse(e.activeAt()), now).toString());
                g.writeStringField("endsAt",
                        e.endsAt().map(end -> earlier(end, now)).orElse(endsAtWhileFiring).toString());
                g.writeStringField("generatorURL", e.generatorURL());
                g.writeEndObject();
            }
            g.writeEndArray();
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return bytes.toByteArray();
    }

    private static Instant earlier(final Instant a, final Instant b) {
        return a.isBefore(b) ? a : b;
    }
}
