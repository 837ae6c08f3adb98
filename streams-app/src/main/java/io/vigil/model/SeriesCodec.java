package io.vigil.model;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/** A series in the binary records Vigil writes to its internal topics and stores: name, then label pairs. */
public final class SeriesCodec {

    private SeriesCodec() {
    }

    public static void write(final DataOutput out, final Series series) throws IOException {
        out.writeUTF(series.name());
        final Labels labels = series.labels();
        out.writeShort(labels.size());
        for (int i = 0; i < labels.size(); i++) {
            out.writeUTF(labels.name(i));
            out.writeUTF(labels.value(i));
        }
    }

    public static Series read(final DataInput in) throws IOException {
        final String name = in.readUTF();
        final int n = in.readShort();
        final Map<String, String> labels = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            labels.put(in.readUTF(), in.readUTF());
        }
        return new Series(name, Labels.of(labels));
    }
}
