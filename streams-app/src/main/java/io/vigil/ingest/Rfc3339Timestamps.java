package io.vigil.ingest;

/**
 * RFC 3339 timestamps to epoch milliseconds, read by hand without allocating (nearly every record has one):
 * {@code YYYY-MM-DDTHH:MM:SS}, an optional fraction of any number of digits, then {@code Z} or an offset
 * {@code ±HH:MM}, as RFC 3339's grammar has it; {@code t} and {@code z} may be lower case. Nothing looser:
 * {@code +02} and {@code +02:00:05}, which java.time would take, are not RFC 3339 offsets. Fractions finer than a
 * millisecond are truncated (towards the past), whatever the offset.
 */
final class Rfc3339Timestamps {

    /** Returned for text that is not an RFC 3339 timestamp; no such timestamp is this far in the past. */
    static final long INVALID = Long.MIN_VALUE;

    /** 0000-01-01T00:00:00Z, the earliest instant RFC 3339's four-digit years can write, in epoch milliseconds. */
    static final long EARLIEST_MS = -62_167_219_200_000L;
    /** 9999-12-31T23:59:59.999Z, the latest instant RFC 3339 can write, to the millisecond. */
    static final long LATEST_MS = 253_402_300_799_999L;

    private static final long MS_PER_DAY = 86_400_000L;

    private Rfc3339Timestamps() {
    }

    /**
     * Whether {@code epochMs} is an instant RFC 3339 can write, {@link #EARLIEST_MS} to {@link #LATEST_MS}. One
     * unsigned compare: below the earliest, the difference wraps to a huge unsigned number, as it does above the
     * latest.
     */
    static boolean withinYears(final long epochMs) {
        return Long.compareUnsigned(epochMs - EARLIEST_MS, LATEST_MS - EARLIEST_MS) <= 0;
    }

    /** Epoch milliseconds, or {@link #INVALID}. */
    static long parseMillis(final CharSequence text) {
        return hasRfc3339Shape(text) ? parseChecked(text) : INVALID;
    }

    /**
     * {@code YYYY-MM-DD?HH:MM:SS} in front, and a digit after a '.': RFC 3339 has no years beyond four digits, no
     * times without seconds and no empty fraction.
     */
    private static boolean hasRfc3339Shape(final CharSequence s) {
        return s.length() >= 20
                && isDigits(s, 0, 4) && s.charAt(4) == '-' && isDigits(s, 5, 7) && s.charAt(7) == '-'
                && isDigits(s, 8, 10) && isDigits(s, 11, 13) && s.charAt(13) == ':'
                && isDigits(s, 14, 16) && s.charAt(16) == ':' && isDigits(s, 17, 19)
                && (s.charAt(19) != '.' || s.length() > 20 && isDigits(s, 20, 21));
    }

    /** A text of {@link #hasRfc3339Shape}; {@link #INVALID} for anything else, including out-of-range fields. */
    private static long parseChecked(final CharSequence s) {
        final char separator = s.charAt(10);
        if (separator != 'T' && separator != 't') {
            return INVALID;
        }
        int fractionEnd = 19;
        if (s.charAt(19) == '.') {
            fractionEnd = 20;
            while (fractionEnd < s.length() && isDigits(s, fractionEnd, fractionEnd + 1)) {
                fractionEnd++;
            }
        }
        final long offsetMs = offsetMillis(s, fractionEnd);
        if (offsetMs == INVALID) {
            return INVALID;
        }
        int millis = 0;
        for (int i = 20; i < 23; i++) {
            millis = millis * 10 + (i < fractionEnd ? s.charAt(i) - '0' : 0);
        }
        final int year = number(s, 0, 4);
        final int month = number(s, 5, 7);
        final int day = number(s, 8, 10);
        final int hour = number(s, 11, 13);
        final int minute = number(s, 14, 16);
        final int second = number(s, 17, 19);
        if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)
                || hour > 23 || minute > 59 || second > 59) {
            return INVALID;
        }
        // Offsets are whole minutes: truncating the local time to the millisecond truncates the instant too.
        return daysSinceEpoch(year, month, day) * MS_PER_DAY
                + ((hour * 60L + minute) * 60L + second) * 1000L + millis - offsetMs;
    }

    /**
     * The offset that makes up the rest of {@code s} from {@code from}, in milliseconds ahead of UTC: {@code Z} or
     * {@code z} is 0, {@code ±HH:MM} (hours to 23, minutes to 59, {@code -00:00} as UTC); {@link #INVALID} for
     * anything else.
     */
    private static long offsetMillis(final CharSequence s, final int from) {
        final int length = s.length() - from;
        if (length == 1) {
            final char z = s.charAt(from);
            return z == 'Z' || z == 'z' ? 0 : INVALID;
        }
        final char sign = length == 6 ? s.charAt(from) : ' ';
        if (sign != '+' && sign != '-' || !isDigits(s, from + 1, from + 3) || s.charAt(from + 3) != ':'
                || !isDigits(s, from + 4, from + 6)) {
            return INVALID;
        }
        final int hours = number(s, from + 1, from + 3);
        final int minutes = number(s, from + 4, from + 6);
        if (hours > 23 || minutes > 59) {
            return INVALID;
        }
        final long ms = (hours * 60L + minutes) * 60_000L;
        return sign == '-' ? -ms : ms;
    }

    /** Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
    private static long daysSinceEpoch(final int year, final int month, final int day) {
        final long y = month <= 2 ? year - 1 : year;
        final long era = Math.floorDiv(y, 400);
        final long yearOfEra = y - era * 400;
        final long dayOfYear = (153L * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
        final long dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear;
        return era * 146_097 + dayOfEra - 719_468;
    }

    private static int daysInMonth(final int year, final int month) {
        return switch (month) {
            case 2 -> isLeap(year) ? 29 : 28;
            case 4, 6, 9, 11 -> 30;
            default -> 31;
        };
    }

    private static boolean isLeap(final int year) {
        return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    }

    private static boolean isDigits(final CharSequence s, final int from, final int to) {
        for (int i = from; i < to; i++) {
            final char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    private static int number(final CharSequence s, final int from, final int to) {
        int n = 0;
        for (int i = from; i < to; i++) {
            n = n * 10 + s.charAt(i) - '0';
        }
        return n;
    }
}
