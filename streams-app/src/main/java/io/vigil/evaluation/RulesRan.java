package io.vigil.evaluation;

import io.vigil.rules.LoadResult;
import io.vigil.rules.RuleLoader;
import io.vigil.rules.RuleSource;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * The rule files a task ran, kept in its progress store, so that after a restart it moves from them to the rules in
 * force as a reload would, and the firing alerts of a rule removed while the engine was stopped resolve. Without
 * them such an alert stayed firing downstream for good: a webhook's pager never heard of it again, and Alertmanager
 * push, which rebuilds what it sends from the alerts topic, sent it on at every resend. In Kubernetes that is the
 * usual way rules change: the ConfigMap is edited and the pods are restarted.
 */
final class RulesRan {

    /**
     * Past this the files are not kept (a changelog record must stay well under the producer's 1 MB request): the
     * task then starts as before, with the rules in force and no word of those it ran. Rule files compress about ten
     * times; this is some thousands of rules.
     */
    static final int MAX_BYTES = 256 * 1024;
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RulesRan.class);
    private static final byte VERSION = 1;

    private RulesRan() {
    }

    /** The files as a task's store keeps them; null where there are none, or too many bytes of them. */
    static byte[] encode(final List<RuleSource> sources) {
        if (sources.isEmpty()) {
            return null;
        }
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(new GZIPOutputStream(bytes))) {
            out.writeByte(VERSION);
            out.writeInt(sources.size());
            for (RuleSource s : sources) {
                writeText(out, s.file());
                writeText(out, s.text());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (bytes.size() > MAX_BYTES) {
            LOG.warn("the rule files take {} bytes compressed, more than the {} a task keeps of the rules it ran: a rule"
                    + " removed while Vigil is stopped will not resolve its firing alerts at the next start",
                    bytes.size(), MAX_BYTES);
            return null;
        }
        return bytes.toByteArray();
    }

    /**
     * The rules {@code stored} holds; empty for none, and for files this version cannot read (a rule syntax since
     * removed, or bytes of an unknown form), which leave the task to start with the rules in force alone, as before.
     */
    static Optional<RuleIndex> decode(final byte[] stored) {
        if (stored == null) {
            return Optional.empty();
        }
        final List<RuleSource> sources = new ArrayList<>();
        try (DataInputStream in = new DataInputStream(new GZIPInputStream(new ByteArrayInputStream(stored)))) {
            final byte version = in.readByte();
            if (version != VERSION) {
                LOG.warn("the rules this task ran before its restart are kept in a form this version does not read"
                        + " ({}); alerts of rules removed meanwhile are not resolved", version);
                return Optional.empty();
            }
            final int files = in.readInt();
            for (int i = 0; i < files; i++) {
                sources.add(new RuleSource(readText(in), readText(in)));
            }
        } catch (IOException e) {
            LOG.warn("the rules this task ran before its restart cannot be read ({}); alerts of rules removed meanwhile"
                    + " are not resolved", e.toString());
            return Optional.empty();
        }
        final LoadResult loaded = RuleLoader.parse(sources);
        if (!loaded.ok()) {
            LOG.warn("the rules this task ran before its restart do not load in this version ({}); alerts of rules"
                    + " removed meanwhile are not resolved", loaded.problems().get(0));
            return Optional.empty();
        }
        return Optional.of(new RuleIndex(loaded.ruleSet()));
    }

    private static void writeText(final DataOutputStream out, final String text) throws IOException {
        final byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        out.writeInt(utf8.length);
        out.write(utf8);
    }

    private static String readText(final DataInputStream in) throws IOException {
        final int length = in.readInt();
        if (length < 0 || length > 64 * MAX_BYTES) {
            throw new IOException("a text of " + length + " bytes");
        }
        return new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }
}
