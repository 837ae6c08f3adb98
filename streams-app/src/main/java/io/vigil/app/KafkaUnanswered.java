package io.vigil.app;

/**
 * The Kafka cluster gave no answer in time: exit 1, a failure of what was asked, not 2. The address may be wrong, but
 * a broker still starting looks the same, and a supervisor told not to restart on a configuration error (exit 2,
 * systemd's {@code RestartPreventExitStatus=2}) left Vigil down after a slow broker boot (an operations audit).
 */
final class KafkaUnanswered extends RuntimeException {

    private static final long serialVersionUID = 1L;

    KafkaUnanswered(final String message) {
        super(message);
    }
}
