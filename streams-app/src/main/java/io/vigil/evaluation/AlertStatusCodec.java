package io.vigil.evaluation;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * An alert's status and latest numbers in the binary state the evaluators store; one layout for both stores. The
 * numbers its labels are rendered with ({@link AlertTransition#labelNumbers}), kept only for rules whose labels use
 * them, follow when the state byte's high bit says so: states written before they existed read as they always did,
 * and so do those of every other rule (a version without them reads these only).
 */
final class AlertStatusCodec {

    private static final int WITH_LABEL_NUMBERS = 0x80;

    /** A status read back with its numbers; {@code labelNumbers} {@link AlertNumbers#NONE} when none were kept. */
    record Stored(AlertStatus status, AlertNumbers numbers, AlertNumbers labelNumbers) {
    }

    private AlertStatusCodec() {
    }

    static void write(final DataOutput out, final AlertStatus s, final AlertNumbers n, final AlertNumbers forLabels)
            throws IOException {
        final boolean withLabelNumbers = !forLabels.equals(AlertNumbers.NONE);
        out.writeByte(s.state().ordinal() | (withLabelNumbers ? WITH_LABEL_NUMBERS : 0));
        out.writeLong(s.activeAt());
        out.writeLong(s.firedAt());
        out.writeLong(s.resolvedAt());
        out.writeLong(s.keepFiringSince());
        writeNumbers(out, n);
        if (withLabelNumbers) {
            writeNumbers(out, forLabels);
        }
    }

    static Stored read(final DataInput in) throws IOException {
        final int state = in.readUnsignedByte();
        final AlertStatus status = new AlertStatus(AlertState.values()[state & ~WITH_LABEL_NUMBERS], in.readLong(),
                in.readLong(), in.readLong(), in.readLong());
        final AlertNumbers numbers = readNumbers(in);
        return new Stored(status, numbers,
                (state & WITH_LABEL_NUMBERS) != 0 ? readNumbers(in) : AlertNumbers.NONE);
    }

    private static void writeNumbers(final DataOutput out, final AlertNumbers n) throws IOException {
        out.writeDouble(n.value());
        out.writeDouble(n.median());
        out.writeDouble(n.z());
    }

    private static AlertNumbers readNumbers(final DataInput in) throws IOException {
        return new AlertNumbers(in.readDouble(), in.readDouble(), in.readDouble());
    }
}
