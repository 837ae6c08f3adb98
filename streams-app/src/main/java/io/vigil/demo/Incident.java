package io.vigil.demo;

import java.time.Duration;

/**
 * Something going wrong in the simulated cluster, and who should notice.
 *
 * @param name     what happens, for people
 * @param start    when, from the scenario's start
 * @param instance the host it happens to: any alert on this host firing after {@code start} counts as detecting it
 */
public record Incident(String name, Duration start, String instance) {
}
