package io.vigil.alerts;

import io.vigil.model.Labels;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/**
 * The fingerprint of an alert: a stable 64-bit hash of its label set, the key of the {@code alerts} topic.
 *
 * <p>The hash is FNV-1a 64 over the labels in name order, each name and each value as UTF-8 bytes
 * followed by a 0xff byte. UTF-8 never contains 0xff, so the separator keeps {@code {a="bc"}} and
 * {@code {ab="c"}} apart. The value depends only on the labels: it is the same on every JVM and in every
 * version, because it names alerts in topics and in receivers that outlive one run.
 */
public final class Fingerprint {

    private static final long FNV_OFFSET_BASIS = 0xcbf29ce484222325L;
    private static final long FNV_PRIME = 0x100000001b3L;
    private static final int SEPARATOR = 0xff;

    private Fingerprint() {
    }

    /** 16 lowercase hex digits; never empty, also for the empty label set. */
    public static String of(final Labels alertLabels) {
        long hash = FNV_OFFSET_BASIS;
        for (int i = 0; i < alertLabels.size(); i++) {
            hash = mix(hash, alertLabels.name(i));
            hash = mix(hash, alertLabels.value(i));
        }
        return HexFormat.of().toHexDigits(hash);
    }

    private static long mix(final long hash, final String text) {
        long h = hash;
        for (final byte b : text.getBytes(StandardCharsets.UTF_8)) {
            h = (h ^ (b & 0xff)) * FNV_PRIME;
        }
        return (h ^ SEPARATOR) * FNV_PRIME;
    }
}
