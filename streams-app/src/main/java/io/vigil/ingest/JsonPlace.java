package io.vigil.ingest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Which value of a JSON record a rejection is about, for its position: a datapoint or metric of the record (the
 * record's one value, or an element of its batch), one of its members (the n-th given that name: the second of one
 * given twice), and one member of that member's object (a label, a tag, a field), its name or its value.
 *
 * <p>A JSON decoder reads its record as tokens, or as a tree, and keeps no token's location: most records are
 * accepted, and a location would be made for every token of every one. It says what each rejection is about instead,
 * and only a record with a rejection is read again, once whatever its rejections ({@link #byteOffsets}), to find them.
 * What is not there (a member the datapoint lacks) is placed at the object that lacks it.
 *
 * @param element         the element of the batch, from 0, or -1 for the record's one value
 * @param member          the member of that element, or null for the element itself
 * @param occurrence      which of the members of that name, from 1
 * @param inner           the member of {@code member}'s object, or null for {@code member}'s value itself
 * @param innerOccurrence which of the inner members of that name, from 1
 * @param innerName       whether it is {@code inner}'s name that is at fault, not its value
 * @param quotedAs        the text the rejection quotes the number at this place as, re-written by the reader that
 *                        held it as a number ({@code 1.0E300}), to be quoted as the record writes it instead
 *                        ({@link #numberText}); null for none
 */
record JsonPlace(int element, String member, int occurrence, String inner, int innerOccurrence, boolean innerName,
                 String quotedAs) {

    /** As the decoders' own: names are not interned, whoever writes them. */
    private static final JsonFactory JSON = JsonFactory.builder()
            .disable(JsonFactory.Feature.INTERN_FIELD_NAMES)
            .build();

    /** Element {@code element} itself (-1 for the record's one value). */
    static JsonPlace element(final int element) {
        return new JsonPlace(element, null, 0, null, 0, false, null);
    }

    /** The value of the {@code occurrence}-th member {@code member} of element {@code element}. */
    static JsonPlace member(final int element, final String member, final int occurrence) {
        return new JsonPlace(element, member, occurrence, null, 0, false, null);
    }

    /** The name, or the value, of member {@code inner} of the first member {@code member} of the element. */
    static JsonPlace inner(final int element, final String member, final String inner, final int innerOccurrence,
                           final boolean innerName) {
        return new JsonPlace(element, member, 1, inner, innerOccurrence, innerName, null);
    }

    /** This place, of a number its rejection quotes as {@code rendered}: see {@link #quotedAs}. */
    JsonPlace quoting(final String rendered) {
        return new JsonPlace(element, member, occurrence, inner, innerOccurrence, innerName, rendered);
    }

    /**
     * The JSON number at byte {@code offset} of {@code value} as written, a slice of the record: its sign, digits,
     * fraction and exponent; "" where there is none.
     */
    static String numberText(final byte[] value, final long offset) {
        int end = (int) offset;
        while (end < value.length && isNumberByte(value[end])) {
            end++;
        }
        return new String(value, (int) offset, end - (int) offset, StandardCharsets.US_ASCII);
    }

    private static boolean isNumberByte(final byte b) {
        return b >= '0' && b <= '9' || b == '-' || b == '+' || b == '.' || b == 'e' || b == 'E';
    }

    /**
     * The byte offset (from 0) in {@code value} of the token each place names, read in one pass; -1 for a null place,
     * and for all of them should the record not read again (it read once, so it does).
     *
     * @param places      in any order, null for a rejection that has no place
     * @param batchMember the member of the record's object that holds the batch ({@code metrics}), or null when the
     *                    record's value is itself the batch array
     */
    static long[] byteOffsets(final byte[] value, final List<JsonPlace> places, final String batchMember) {
        final long[] found = new long[places.size()];
        Arrays.fill(found, -1);
        final List<Integer> record = new ArrayList<>();
        final List<Integer> batch = new ArrayList<>();
        for (int i = 0; i < places.size(); i++) {
            final JsonPlace place = places.get(i);
            if (place != null) {
                (place.element < 0 ? record : batch).add(i);
            }
        }
        batch.sort((a, b) -> Integer.compare(places.get(a).element, places.get(b).element));
        try (JsonParser parser = JSON.createParser(value)) {
            final JsonToken root = parser.nextToken();
            if (batchMember == null && root == JsonToken.START_ARRAY) {
                elements(parser, places, batch, found);
            } else {
                value(parser, places, record, batchMember, batch, found);
            }
        } catch (IOException e) {
            Arrays.fill(found, -1);
        }
        return found;
    }

    /**
     * Finds {@code which} places in the value at the parser's token, reading past its end; in the array of its member
     * {@code batchMember} (null: none), the {@code batch} places.
     */
    private static void value(final JsonParser parser, final List<JsonPlace> places, final List<Integer> which,
                              final String batchMember, final List<Integer> batch, final long[] found)
            throws IOException {
        final long start = offset(parser);
        if (parser.currentToken() != JsonToken.START_OBJECT) {
            parser.skipChildren();
            which.forEach(i -> found[i] = start);
            return;
        }
        final int[] seen = new int[which.size()];
        boolean batchRead = batchMember == null || batch.isEmpty();
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            final String name = parser.currentName();
            parser.nextToken();
            final long at = offset(parser);
            List<Integer> inside = null;
            for (int k = 0; k < which.size(); k++) {
                final JsonPlace place = places.get(which.get(k));
                if (place.member != null && found[which.get(k)] < 0 && place.member.equals(name)
                        && ++seen[k] == place.occurrence) {
                    if (place.inner == null || parser.currentToken() != JsonToken.START_OBJECT) {
                        found[which.get(k)] = at;
                    } else {
                        if (inside == null) {
                            inside = new ArrayList<>();
                        }
                        inside.add(which.get(k));
                    }
                }
            }
            if (!batchRead && name.equals(batchMember) && parser.currentToken() == JsonToken.START_ARRAY) {
                batchRead = true;
                elements(parser, places, batch, found);
            } else if (inside != null) {
                members(parser, places, inside, at, found);
            } else {
                parser.skipChildren();
            }
        }
        // What the object lacks is placed at the object.
        for (Integer i : which) {
            if (found[i] < 0) {
                found[i] = start;
            }
        }
    }

    /** Finds the elements' places in the array at the parser's token, {@code batch} in the order of their elements. */
    private static void elements(final JsonParser parser, final List<JsonPlace> places, final List<Integer> batch,
                                 final long[] found) throws IOException {
        int next = 0;
        int element = 0;
        while (parser.nextToken() != JsonToken.END_ARRAY) {
            final List<Integer> here = new ArrayList<>(1);
            while (next < batch.size() && places.get(batch.get(next)).element == element) {
                here.add(batch.get(next++));
            }
            if (here.isEmpty()) {
                parser.skipChildren();
            } else {
                value(parser, places, here, null, List.of(), found);
            }
            element++;
        }
    }

    /** Finds {@code inside} places among the members of the object at the parser's token, starting at {@code start}. */
    private static void members(final JsonParser parser, final List<JsonPlace> places, final List<Integer> inside,
                                final long start, final long[] found) throws IOException {
        final int[] seen = new int[inside.size()];
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            final String name = parser.currentName();
            final long nameAt = offset(parser);
            parser.nextToken();
            final long valueAt = offset(parser);
            for (int k = 0; k < inside.size(); k++) {
                final JsonPlace place = places.get(inside.get(k));
                if (found[inside.get(k)] < 0 && place.inner.equals(name) && ++seen[k] == place.innerOccurrence) {
                    found[inside.get(k)] = place.innerName ? nameAt : valueAt;
                }
            }
            parser.skipChildren();
        }
        for (Integer i : inside) {
            if (found[i] < 0) {
                found[i] = start;
            }
        }
    }

    /** Where the parser's token starts: a member's name for a name, its first byte for a value. */
    private static long offset(final JsonParser parser) {
        return parser.currentTokenLocation().getByteOffset();
    }
}
