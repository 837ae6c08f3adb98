package io.vigil.evaluation;

import io.vigil.model.Labels;
import io.vigil.model.Series;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

/** The bytes of a {@link SeriesState} in the changelogged store. Versioned so the layout can change. */
final class SeriesStateCodec {

    private static final byte VERSION = 1;

    private SeriesStateCodec() {
    }

    static byte[] encode(final SeriesState s) {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + 16 * s.size());
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(VERSION);
            out.writeUTF(s.series().name());
            final Labels labels = s.series().labels();
            out.writeShort(labels.size());
            for (int i = 0; i < labels.size(); i++) {
                out.writeUTF(labels.name(i));
                out.writeUTF(labels.value(i));
            }
            out.writeInt(s.size());
            for (int i = 0; i < s.size(); i++) {
                out.writeLong(s.timestamp(i));
                out.writeDouble(s.value(i));
            }
            out.writeShort(s.alerts().size());
            for (Map.Entry<String, AlertStatus> e : s.alerts().entrySet()) {
                final AlertStatus a = e.getValue();
                out.writeUTF(e.getKey());
                out.writeByte(a.state().ordinal());
                out.writeLong(a.activeAt());
                out.writeLong(a.firedAt());
                out.writeLong(a.resolvedAt());
                out.writeLong(a.keepFiringSince());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    static SeriesState decode(final byte[] bytes) {
        try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(bytes))) {
            final byte version = in.readByte();
            if (version != VERSION) {
                throw new IllegalStateException("series state version " + version + " is not known to this Vigil");
            }
            final String name = in.readUTF();
            final int labelCount = in.readShort();
            final Map<String, String> labels = new LinkedHashMap<>();
            for (int i = 0; i < labelCount; i++) {
                labels.put(in.readUTF(), in.readUTF());
            }
            final int n = in.readInt();
            final long[] ts = new long[Math.max(4, n)];
            final double[] vs = new double[Math.max(4, n)];
            for (int i = 0; i < n; i++) {
                ts[i] = in.readLong();
                vs[i] = in.readDouble();
            }
            final SeriesState s = new SeriesState(new Series(name, Labels.of(labels)), ts, vs, n);
            final int alertCount = in.readShort();
            for (int i = 0; i < alertCount; i++) {
                final String ruleId = in.readUTF();
                final AlertState state = AlertState.values()[in.readByte()];
                s.setAlert(ruleId, new AlertStatus(state, in.readLong(), in.readLong(), in.readLong(), in.readLong()));
            }
            return s;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
