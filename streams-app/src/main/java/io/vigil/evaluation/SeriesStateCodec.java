package io.vigil.evaluation;

import io.vigil.model.SeriesCodec;
import io.vigil.model.Series;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.function.Function;

/**
 * The bytes of a {@link SeriesState} in the changelogged store. Versioned so the layout can change, and every version
 * is read. Versions 1 and 3 start with the series' name and labels; versions 2 and 4, written whenever the store key
 * is the series' own key (every state but Vigil's self-alerts), leave them out and take the series from the key,
 * which makes each record about a third smaller. Versions 1 and 2 hold each point as a whole timestamp and a double,
 * 16 bytes; 3 and 4, written now, hold the points as the state does ({@link SeriesState#writePoints}), 2 to 6 bytes a
 * point for a fleet's series: on live data a state is written about once per datapoint, and the changelog's records
 * are encoded, sent, appended and replicated by the same few cores that evaluate.
 */
final class SeriesStateCodec {

    private static final byte WITH_SERIES = 1;
    private static final byte SERIES_FROM_KEY = 2;
    private static final byte WITH_SERIES_POINTS_AS_HELD = 3;
    private static final byte SERIES_FROM_KEY_POINTS_AS_HELD = 4;

    private SeriesStateCodec() {
    }

    static byte[] encode(final String storeKey, final SeriesState s) {
        return encode(s, s.hasKey(storeKey));
    }

    /** {@link #encode} of a state stored under its own key, which the caller knows (no key to compare). */
    static byte[] encodeUnderOwnKey(final SeriesState s) {
        return encode(s, true);
    }

    private static byte[] encode(final SeriesState s, final boolean underOwnKey) {
        final ByteWriter out = new ByteWriter(64 + 8 * s.size());
        try {
            if (underOwnKey) {
                out.writeByte(SERIES_FROM_KEY_POINTS_AS_HELD);
            } else {
                out.writeByte(WITH_SERIES_POINTS_AS_HELD);
                SeriesCodec.write(out, s.series());
            }
            out.writeLong(s.lastPruned());
            s.writePoints(out);
            out.writeShort(s.baselines().size());
            for (Map.Entry<String, Baseline> e : s.baselines().entrySet()) {
                final Baseline b = e.getValue();
                out.writeUTF(e.getKey());
                out.writeShort(b.samples().length);
                out.writeShort(b.size());
                out.writeShort(b.head());
                out.writeInt(b.stride());
                out.writeInt(b.sinceSample());
                for (int i = 0; i < b.size(); i++) {
                    out.writeDouble(b.samples()[i]);
                }
            }
            out.writeShort(s.alerts().size());
            for (Map.Entry<String, AlertStatus> e : s.alerts().entrySet()) {
                out.writeUTF(e.getKey());
                AlertStatusCodec.write(out, e.getValue(), s.numbers(e.getKey()), s.labelNumbers(e.getKey()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** The points of versions 1 and 2: a count, then each point's timestamp and value. */
    private static SeriesState wholePoints(final Series series, final DataInputStream in) throws IOException {
        final int n = in.readInt();
        final long[] ts = new long[Math.max(4, n)];
        final double[] vs = new double[Math.max(4, n)];
        for (int i = 0; i < n; i++) {
            ts[i] = in.readLong();
            vs[i] = in.readDouble();
        }
        return new SeriesState(series, ts, vs, n);
    }

    static SeriesState decode(final String storeKey, final byte[] bytes) {
        try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(bytes))) {
            final byte version = in.readByte();
            final Series series = series(version, storeKey, in, Series::fromKey);
            final long lastPruned = in.readLong();
            final SeriesState s = version >= WITH_SERIES_POINTS_AS_HELD ? SeriesState.readPoints(series, in)
                    : wholePoints(series, in);
            s.setLastPruned(lastPruned);
            final int baselineCount = in.readShort();
            for (int i = 0; i < baselineCount; i++) {
                final String ruleId = in.readUTF();
                final double[] samples = new double[in.readShort()];
                final int size = in.readShort();
                final int head = in.readShort();
                final int stride = in.readInt();
                final int since = in.readInt();
                for (int j = 0; j < size; j++) {
                    samples[j] = in.readDouble();
                }
                s.putBaseline(new Baseline(ruleId, samples, stride, head, size, since));
            }
            final int alertCount = in.readShort();
            for (int i = 0; i < alertCount; i++) {
                final String ruleId = in.readUTF();
                final AlertStatusCodec.Stored stored = AlertStatusCodec.read(in);
                s.setAlert(ruleId, stored.status());
                s.setNumbers(ruleId, stored.numbers());
                if (!stored.labelNumbers().equals(AlertNumbers.NONE)) {
                    s.setLabelNumbers(ruleId, stored.labelNumbers());
                }
            }
            return s;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A stored state's series and its alerts, by rule id, with their numbers. */
    record StoredAlerts(Series series, Map<String, AlertStatusCodec.Stored> alerts) {
    }

    /**
     * The series and its alerts with their numbers, the points and baselines skipped, not decoded, and no
     * {@link SeriesState} made (it interns its key's pieces): what the HTTP API reads of every alerting series at
     * each request.
     *
     * @param seriesOfKey the series of a store key, {@link Series#fromKey} or a cache of it
     */
    static StoredAlerts decodeAlerts(final String storeKey, final byte[] bytes,
                                     final Function<String, Series> seriesOfKey) {
        try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(bytes))) {
            final byte version = in.readByte();
            final Series series = series(version, storeKey, in, seriesOfKey);
            in.readLong(); // last pruned
            if (version >= WITH_SERIES_POINTS_AS_HELD) {
                SeriesState.skipPoints(in);
            } else {
                in.skipNBytes(16L * in.readInt());
            }
            final int baselineCount = in.readShort();
            for (int i = 0; i < baselineCount; i++) {
                in.readUTF();
                in.readShort(); // capacity
                final int size = in.readShort();
                in.skipNBytes(2 + 4 + 4 + 8L * size); // head, stride, since, samples
            }
            final int alertCount = in.readShort();
            final Map<String, AlertStatusCodec.Stored> alerts = new java.util.LinkedHashMap<>();
            for (int i = 0; i < alertCount; i++) {
                final String ruleId = in.readUTF();
                alerts.put(ruleId, AlertStatusCodec.read(in));
            }
            return new StoredAlerts(series, alerts);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Series series(final byte version, final String storeKey, final DataInputStream in,
                                 final Function<String, Series> seriesOfKey) throws IOException {
        if (version == SERIES_FROM_KEY || version == SERIES_FROM_KEY_POINTS_AS_HELD) {
            return seriesOfKey.apply(storeKey);
        }
        if (version == WITH_SERIES || version == WITH_SERIES_POINTS_AS_HELD) {
            return SeriesCodec.read(in);
        }
        throw new IllegalStateException("series state version " + version + " is not known to this Vigil");
    }
}
