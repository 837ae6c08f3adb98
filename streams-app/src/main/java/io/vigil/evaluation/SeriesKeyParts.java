package io.vigil.evaluation;

/**
 * A series key held as interned pieces rather than one string of its own: {@code cpu{cluster="c1",} +
 * {@code instance="node-7",} + {@code role="db"}}. A fleet's keys repeat the same few label pairs (a node's instance
 * is in each of its metrics' keys, a cluster in thousands), so a million keys of ~90 characters (~140 bytes each as
 * strings) share their pieces and each keeps only an array of references.
 *
 * <p>The pieces concatenate to the key exactly: where the key is cut does not matter for that, only for how much is
 * shared, and it is cut after each label pair. Interned with {@link String#intern}, whose table lets go of a piece no
 * key uses any more. Comparing and hashing read the pieces in place, so looking a state up by a datapoint's key builds
 * nothing.
 */
final class SeriesKeyParts {

    private SeriesKeyParts() {
    }

    /** The pieces of {@code key}, interned. */
    static String[] of(final String key) {
        int count = 1;
        for (int i = key.indexOf("\",", 0); i >= 0; i = key.indexOf("\",", i + 2)) {
            count++;
        }
        final String[] parts = new String[count];
        int from = 0;
        int p = 0;
        for (int i = key.indexOf("\",", 0); i >= 0; i = key.indexOf("\",", i + 2)) {
            parts[p++] = key.substring(from, i + 2).intern();
            from = i + 2;
        }
        parts[p] = key.substring(from).intern();
        return parts;
    }

    /** Whether the pieces spell {@code key}. */
    static boolean spell(final String[] parts, final String key) {
        int at = 0;
        for (String part : parts) {
            if (!key.startsWith(part, at)) {
                return false;
            }
            at += part.length();
        }
        return at == key.length();
    }

    /** The key's {@link String#hashCode}, without building it. */
    static int hash(final String[] parts) {
        int h = 0;
        for (String part : parts) {
            for (int i = 0; i < part.length(); i++) {
                h = 31 * h + part.charAt(i);
            }
        }
        return h;
    }

    /** The key itself, built anew. */
    static String join(final String[] parts) {
        return parts.length == 1 ? parts[0] : String.join("", parts);
    }
}
