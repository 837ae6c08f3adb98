package io.vigil.evaluation;

import io.vigil.model.SeriesCodec;
import io.vigil.model.Series;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * The bytes of a {@link SeriesState} in the changelogged store. Versioned so the layout can change: version 1 starts
 * with the series' name and labels; version 2, written whenever the store key is the series' own key (every state
 * but Vigil's self-alerts), leaves them out and takes the series from the key, which makes each changelog record
 * about a third smaller and cheaper to write. Both are read.
 */
final class SeriesStateCodec {

    private static final byte WITH_SERIES = 1;
    private static final byte SERIES_FROM_KEY = 2;

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
        final ByteWriter out = new ByteWriter(64 + 16 * s.size());
        try {
            if (underOwnKey) {
                out.writeByte(SERIES_FROM_KEY);
            } else {
                out.writeByte(WITH_SERIES);
                SeriesCodec.write(out, s.series());
            }
            out.writeLong(s.lastPruned());
            out.writeInt(s.size());
            for (int i = 0; i < s.size(); i++) {
                out.writeLong(s.timestamp(i));
                out.writeDouble(s.value(i));
            }
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
                AlertStatusCodec.write(out, e.getValue(), s.numbers(e.getKey()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static SeriesState decode(final String storeKey, final byte[] bytes) {
        try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(bytes))) {
            final byte version = in.readByte();
            final Series series;
            if (version == SERIES_FROM_KEY) {
                series = Series.fromKey(storeKey);
            } else if (version == WITH_SERIES) {
                series = SeriesCodec.read(in);
            } else {
                throw new IllegalStateException("series state version " + version + " is not known to this Vigil");
            }
            final long lastPruned = in.readLong();
            final int n = in.readInt();
            final long[] ts = new long[Math.max(4, n)];
            final double[] vs = new double[Math.max(4, n)];
            for (int i = 0; i < n; i++) {
                ts[i] = in.readLong();
                vs[i] = in.readDouble();
            }
            final SeriesState s = new SeriesState(series, ts, vs, n);
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
            }
            return s;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
