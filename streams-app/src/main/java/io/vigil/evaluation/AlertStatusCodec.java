package io.vigil.evaluation;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/** An alert's status and latest numbers in the binary state the evaluators store; one layout for both stores. */
final class AlertStatusCodec {

    /** A status read back with its numbers. */
    record Stored(AlertStatus status, AlertNumbers numbers) {
    }

    private AlertStatusCodec() {
    }

    static void write(final DataOutput out, final AlertStatus s, final AlertNumbers n) throws IOException {
        out.writeByte(s.state().ordinal());
        out.writeLong(s.activeAt());
        out.writeLong(s.firedAt());
        out.writeLong(s.resolvedAt());
        out.writeLong(s.keepFiringSince());
        out.writeDouble(n.value());
        out.writeDouble(n.median());
        out.writeDouble(n.z());
    }

    static Stored read(final DataInput in) throws IOException {
        final AlertStatus status = new AlertStatus(AlertState.values()[in.readByte()], in.readLong(), in.readLong(),
                in.readLong(), in.readLong());
        return new Stored(status, new AlertNumbers(in.readDouble(), in.readDouble(), in.readDouble()));
    }
}
