package io.vigil.delivery;

import io.micrometer.core.instrument.MeterRegistry;
import java.net.http.HttpClient;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Delivery of alert events to every configured webhook receiver and Alertmanager, each on its own thread, started
 * afresh when it fails ({@link Restarting}).
 */
public final class Delivery implements AutoCloseable {

    /**
     * The User-Agent of every request delivery sends, webhooks and Alertmanager pushes alike: a receiver's or proxy's
     * log names Vigil, rather than the JDK's {@code Java-http-client/17...}, whichever kind of receiver it is.
     */
    static final String USER_AGENT = "Vigil";

    private final List<Restarting> deliveries = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    /** Set once by {@link #start}, before any receiver's thread starts (which makes it visible to them). */
    private Instant startedAt = Instant.MAX;

    /**
     * @param kafka           Kafka client settings (bootstrap servers, security) for the consumers and producer
     * @param deadLetterTopic where refused alert events go ({@code alerts.dlq})
     */
    public Delivery(final List<WebhookReceiver> receivers, final Map<String, Object> kafka, final String alertsTopic,
                    final String deadLetterTopic, final String externalUrl, final MeterRegistry registry) {
        this(receivers, List.of(), kafka, alertsTopic, deadLetterTopic, externalUrl, registry);
    }

    /**
     * Each webhook receiver retries, and its delivery restarts, with its own {@link WebhookReceiver#retry()}; an
     * Alertmanager push, which retries at its next resend, restarts with {@link RetryPolicy#DEFAULT}.
     */
    public Delivery(final List<WebhookReceiver> receivers, final List<AlertmanagerReceiver> alertmanagers,
                    final Map<String, Object> kafka, final String alertsTopic, final String deadLetterTopic,
                    final String externalUrl, final MeterRegistry registry) {
        final HttpClient http = WebhookSender.httpClient();
        final DeliveryMetrics metrics = new DeliveryMetrics(registry);
        for (WebhookReceiver receiver : receivers) {
            metrics.receiver(receiver.name(), true);
            metrics.partitions(receiver.name(), 0);
            add("vigil-delivery-" + receiver.name(), new Restarting(receiver.name(),
                    () -> new ReceiverDelivery(receiver, kafka, alertsTopic, deadLetterTopic, externalUrl,
                            new WebhookSender(http), metrics, startedAt), receiver.retry(), metrics));
        }
        for (AlertmanagerReceiver am : alertmanagers) {
            metrics.receiver(am.name(), false);
            add("vigil-alertmanager-" + am.name(), new Restarting(am.name(),
                    () -> new AlertmanagerPush(am, kafka, alertsTopic, http, java.time.Clock.systemUTC(), metrics),
                    RetryPolicy.DEFAULT, metrics));
        }
    }

    private void add(final String threadName, final Restarting delivery) {
        deliveries.add(delivery);
        final Thread thread = new Thread(delivery, threadName);
        thread.setDaemon(true);
        threads.add(thread);
    }

    /** Starts delivering; to a receiver that has never delivered, the events written before now are history. */
    public void start() {
        start(Instant.now());
    }

    /**
     * Starts delivering; to a receiver that has never delivered, the events written before {@code historyBefore} are
     * history: of those it gets each alert's latest, if firing ({@link AlertHistory}). {@code run} passes the moment it
     * started, before its engine could write anything; {@link Instant#MIN} sends everything.
     */
    public void start(final Instant historyBefore) {
        startedAt = historyBefore.truncatedTo(ChronoUnit.MILLIS); // as the records' times: one in that ms is not history
        threads.forEach(Thread::start);
    }

    /** Stops after the attempt in flight; undelivered events stay on the topic for the next start. */
    @Override
    public void close() throws InterruptedException {
        stop();
    }

    /**
     * Stops each receiver after the request in flight (bounded by its timeout) and waits for it. Nothing is lost
     * either way: an event is committed only once delivered, so one not delivered is sent after the next start.
     *
     * @return false when a receiver's thread was still busy after 15 s
     */
    public boolean stop() throws InterruptedException {
        deliveries.forEach(Restarting::stop);
        boolean stopped = true;
        for (Thread t : threads) {
            t.join(15_000);
            stopped &= !t.isAlive();
        }
        return stopped;
    }
}
