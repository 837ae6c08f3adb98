package io.vigil.evaluation;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * The event time an evaluating task may act on: the low watermark over the input partitions ("sources") that feed
 * it.
 *
 * <p>Why not Kafka Streams' own stream time: after the repartition by series, a task sees records of every input
 * partition interleaved in whatever order the upstream tasks happened to run, so "the newest timestamp seen" would
 * depend on processing speed, and a catching-up partition would find its points late. Each source instead reports
 * the newest timestamp it has seen (its watermark) after the points it sent, and evaluation {@code T} runs once
 * every active source has reached {@code T + grace}. A point whose first instant its own source's newest has made
 * due ({@code instant + grace <= newest}) is dropped at the source, so the points an evaluation sees are decided by
 * each partition's own order alone.
 *
 * <p>A source that has sent nothing for the idle timeout is left out of the minimum until it speaks again, so an
 * empty or silent partition does not hold every alert back; when every source is idle the newest watermark counts.
 * When the first source speaks again after every source was idle, all count as active again: a stream resuming
 * after a pause is waited for as a whole, not led by whichever partition happens to be read first.
 *
 * <p>In {@code vigil run} an idle notice holds for a lease ({@link io.vigil.model.IdleLease}), which its ingest task
 * renews while the source stays idle: a source whose reader died (an instance killed) is waited for again once its
 * lease runs out, rather than left out until another instance takes its partition over, a minute on, and finds the
 * points written there meanwhile late.
 */
public final class EventClock {

    private final int expectedSources;
    private final TreeMap<String, Long> watermarks = new TreeMap<>();
    private final TreeMap<String, Boolean> idle = new TreeMap<>();
    /** The wall clock until which each idle source's notice holds, where it does not hold for good. */
    private final Map<String, Long> idleUntilWallMs = new java.util.HashMap<>();
    private long newest = Long.MIN_VALUE;
    private long newestAtWallMs = Long.MIN_VALUE;

    /** @param expectedSources how many input partitions feed the stream; evaluation waits to hear from each */
    public EventClock(final int expectedSources) {
        this.expectedSources = expectedSources;
    }

    public void onWatermark(final String source, final long timestampMs) {
        onWatermark(source, timestampMs, Long.MIN_VALUE);
    }

    /** @param wallMs the wall clock when the watermark arrived, for {@link #wallClockLowWatermark} */
    public void onWatermark(final String source, final long timestampMs, final long wallMs) {
        if (idle.size() >= expectedSources && !idle.containsValue(false)) {
            // The whole stream resumes after a pause. The other sources were idle because everything was, and their
            // records are about to follow: count them active again. Otherwise the first partition read again would
            // run event time ahead alone, and the others' points would be judged late and dropped (the fault suite
            // found this: false silences and shifted values after a pause). A source that really stays silent is
            // announced idle again by its ingest task within a renewal.
            idle.replaceAll((s, wasIdle) -> false);
            idleUntilWallMs.clear();
        }
        watermarks.merge(source, timestampMs, Math::max);
        idle.put(source, false);
        idleUntilWallMs.remove(source);
        if (timestampMs > newest) {
            newest = timestampMs;
            newestAtWallMs = wallMs;
        }
    }

    /**
     * Lets go of the sources {@code gone} names, which no ingest task reads any more (a topic taken out of the input):
     * kept, one would never report again and hold event time back for good. Returns their names. The newest watermark
     * stays, theirs included: event time has run to it already (every source idle, the newest counts), and a silence
     * of the sources kept goes on from there; lowered to theirs, with when the newest came kept, it read as old data
     * and their silence was never paged (a review, 2026-12-07).
     */
    public List<String> forgetSources(final Predicate<String> gone) {
        final List<String> forgotten = idle.keySet().stream().filter(gone).toList();
        forgotten.forEach(source -> {
            idle.remove(source);
            idleUntilWallMs.remove(source);
            watermarks.remove(source);
        });
        return forgotten;
    }

    /** {@code source} is idle until it speaks again. */
    public void onIdle(final String source) {
        idle.put(source, true);
        idleUntilWallMs.remove(source);
    }

    /** {@code source} is idle until it speaks again, or until the wall clock reaches {@code untilWallMs}. */
    public void onIdle(final String source, final long untilWallMs) {
        idle.put(source, true);
        idleUntilWallMs.put(source, untilWallMs);
    }

    /**
     * Counts active again the idle sources whose notice has run out by {@code wallMs}: no longer renewed, their
     * reader is gone, and points may be waiting there for whoever reads the partition next.
     */
    public void expireIdle(final long wallMs) {
        if (idleUntilWallMs.isEmpty()) {
            return;
        }
        idleUntilWallMs.entrySet().removeIf(e -> {
            if (e.getValue() > wallMs) {
                return false;
            }
            idle.put(e.getKey(), false);
            return true;
        });
    }

    /** The low watermark, or empty while some source has neither reported a watermark nor gone idle. */
    public OptionalLong lowWatermark() {
        if (idle.size() < expectedSources) {
            return OptionalLong.empty();
        }
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        boolean anyActive = false;
        for (Map.Entry<String, Boolean> e : idle.entrySet()) {
            final Long w = watermarks.get(e.getKey());
            if (w != null) {
                max = Math.max(max, w);
            }
            if (!e.getValue()) {
                if (w == null) {
                    return OptionalLong.empty();
                }
                anyActive = true;
                min = Math.min(min, w);
            }
        }
        if (anyActive) {
            return OptionalLong.of(min);
        }
        return max == Long.MIN_VALUE ? OptionalLong.empty() : OptionalLong.of(max);
    }

    /**
     * Event time as the wall clock sees it when the whole stream has gone quiet: every source idle, and the newest
     * data live when it came (within {@code liveHorizonMs} of the wall clock then, so a backtest of old data, or the
     * end of a catch-up, is left alone). Event time then moves on with the wall clock from the newest watermark, for
     * as long as the silence lasts, so a cluster that falls silent as a whole still has its silence noticed (rules.md,
     * "absent"). Until 2026-12-06 the data had to be recent now, so event time stopped 15 minutes into the silence and
     * an absent rule with a longer {@code after} never fired.
     *
     * <p>Once the silence has lasted {@code aheadAfterMs} (the shortest {@code after} of the task's absent rules), it
     * runs ahead of that by the grace: an instant waits {@code grace} for points that come late, but no source has
     * sent anything for longer than a silence pages after, and rules.md wants such a silence paged within {@code after
     * + every} (until 2026-12-06, night, it was paged a grace later). Not before: a fleet sending once a minute falls
     * silent as a whole between its sends, and its points, stamped when scraped and come seconds later, found their
     * instants run without the grace and were dropped as late (every one stamped on an instant, as Telegraf's
     * {@code round_interval} stamps them; a conformance audit, 2026-12-07). A point that comes after the run-ahead,
     * stamped before the instants run meanwhile, is late (counted, as any other).
     */
    public OptionalLong wallClockLowWatermark(final long wallMs, final long liveHorizonMs, final long graceMs,
                                              final long aheadAfterMs) {
        if (idle.size() < expectedSources || newestAtWallMs == Long.MIN_VALUE || idle.containsValue(false)) {
            return OptionalLong.empty();
        }
        if (newest < newestAtWallMs - liveHorizonMs) {
            return OptionalLong.empty();
        }
        final long silence = Math.max(0, wallMs - newestAtWallMs);
        return OptionalLong.of(newest + silence + (silence >= aheadAfterMs ? Math.min(graceMs, silence) : 0));
    }

    byte[] encode() {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(idle.size());
            for (Map.Entry<String, Boolean> e : idle.entrySet()) {
                out.writeUTF(e.getKey());
                out.writeBoolean(e.getValue());
                final Long w = watermarks.get(e.getKey());
                out.writeLong(w == null ? Long.MIN_VALUE : w);
            }
            // Added 2026-12-06, after the sources: a clock written before has none, and one read by an earlier
            // version is read without them.
            out.writeLong(newest);
            out.writeLong(newestAtWallMs);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /**
     * Puts back the watermarks of an earlier run. Idleness is not trusted across a restart: a source idle then may
     * be catching up now, so every source counts as active again until its ingest task says otherwise (ingest
     * repeats its idle notices for that reason). The newest watermark and when it came are put back too: a stream
     * silent across a restart (or a rebalance) has its silence timed from its last data, not from the restart, and
     * without them it had none (its absent alerts never fired until data came back).
     */
    void restore(final byte[] bytes) {
        watermarks.clear();
        idle.clear();
        idleUntilWallMs.clear();
        newest = Long.MIN_VALUE;
        newestAtWallMs = Long.MIN_VALUE;
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            final int n = in.readInt();
            for (int i = 0; i < n; i++) {
                final String source = in.readUTF();
                in.readBoolean();
                idle.put(source, false);
                final long w = in.readLong();
                if (w != Long.MIN_VALUE) {
                    watermarks.put(source, w);
                }
            }
            if (in.available() >= 2 * Long.BYTES) {
                newest = in.readLong();
                newestAtWallMs = in.readLong();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
