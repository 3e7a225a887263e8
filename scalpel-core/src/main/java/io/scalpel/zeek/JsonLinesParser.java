package io.scalpel.zeek;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Zeek's JSON log lines: one object per line, with keys either flat ({@code "id.orig_h"}, Zeek's
 * default) or nested ({@code {"id": {"orig_h": ...}}}, as other tools write them). Numbers are taken
 * from their text, never through a double. Unknown keys are skipped.
 */
final class JsonLinesParser {
    /** Deep enough for {@code id.ctx.vlan}; deeper objects are skipped unread. */
    private static final int MAX_DEPTH = 4;
    private static final int MAX_MESSAGE_CHARS = 160;

    /** Deepest nesting read (skipped unread beyond {@link #MAX_DEPTH}, but still parsed); deeper is a bad line. */
    static final int MAX_NESTING = 1000;
    /** Longest number, in characters. */
    static final int MAX_NUMBER_LENGTH = 1000;
    /** Longest key, in characters. */
    static final int MAX_NAME_LENGTH = 50_000;
    /** Jackson's pointer to its own API at the end of a limit's message ("..., from `StreamReadConstraints...`)"). */
    private static final java.util.regex.Pattern API_HINT = java.util.regex.Pattern.compile(", from `[^`]*`");

    private final JsonFactory factory = JsonFactory.builder()
        .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
        .streamReadConstraints(StreamReadConstraints.builder()
            .maxNestingDepth(MAX_NESTING)
            .maxNumberLength(MAX_NUMBER_LENGTH)
            .maxNameLength(MAX_NAME_LENGTH)
            .build())
        .build();

    /** Parses one line into row. */
    void row(final byte[] b, final int len, final ConnRow row) throws MalformedLineException {
        try (JsonParser p = factory.createParser(b, 0, len)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new MalformedLineException("not a JSON object");
            }
            object(p, null, 1, row);
            if (p.nextToken() != null) {
                throw new MalformedLineException("trailing data after the JSON object at column "
                    + p.currentTokenLocation().getColumnNr());
            }
        } catch (StreamConstraintsException e) {
            // a limit of the parser: no location, and a message that ends with a pointer into Jackson's API
            throw new MalformedLineException("beyond a limit of the JSON reader: "
                + SafeText.escape(API_HINT.matcher(String.valueOf(e.getOriginalMessage())).replaceAll(""), MAX_MESSAGE_CHARS));
        } catch (JsonProcessingException e) {
            final String at = e.getLocation() != null ? " at column " + e.getLocation().getColumnNr() : "";
            throw new MalformedLineException("invalid JSON" + at + ": " + SafeText.escape(String.valueOf(e.getOriginalMessage()),
                MAX_MESSAGE_CHARS));
        } catch (IOException e) {
            throw new MalformedLineException("invalid JSON: " + SafeText.escape(String.valueOf(e.getMessage()), MAX_MESSAGE_CHARS));
        }
    }

    private static void object(final JsonParser p, final String prefix, final int depth, final ConnRow row)
        throws IOException, MalformedLineException {
        JsonToken t;
        while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
            final String key = prefix == null ? p.currentName() : prefix + "." + p.currentName();
            final JsonToken value = p.nextToken();
            final ConnField field = ConnField.byKey(key);
            if (field == null) {
                if (value == JsonToken.START_OBJECT && depth < MAX_DEPTH) {
                    object(p, key, depth + 1, row);
                } else {
                    p.skipChildren();
                }
            } else if (field == ConnField.TUNNEL_PARENTS) {
                row.tunnelParents(stringArray(p, field, value));
            } else {
                row.set(field, scalar(p, field, value));
            }
        }
        if (t != JsonToken.END_OBJECT) {
            throw new MalformedLineException("unexpected " + t + " in a JSON object");
        }
    }

    /** Text of a scalar; strings for text fields, numbers (or numeric strings) for the others. */
    private static String scalar(final JsonParser p, final ConnField field, final JsonToken value)
        throws IOException, MalformedLineException {
        switch (value) {
            case VALUE_NULL:
                return null;
            case VALUE_STRING:
                return p.getText();
            case VALUE_NUMBER_INT:
            case VALUE_NUMBER_FLOAT:
                if (isText(field)) {
                    throw new MalformedLineException(field.key + ": expected a string, found the number "
                        + SafeText.quote(p.getText()));
                }
                return p.getText();
            default:
                throw new MalformedLineException(field.key + ": expected a " + (isText(field) ? "string" : "number")
                    + ", found " + describe(value));
        }
    }

    private static List<String> stringArray(final JsonParser p, final ConnField field, final JsonToken value)
        throws IOException, MalformedLineException {
        if (value == JsonToken.VALUE_NULL) {
            return List.of();
        }
        if (value != JsonToken.START_ARRAY) {
            throw new MalformedLineException(field.key + ": expected an array of strings, found " + describe(value));
        }
        final List<String> items = new ArrayList<>(2);
        JsonToken t;
        while ((t = p.nextToken()) == JsonToken.VALUE_STRING) {
            items.add(p.getText());
        }
        if (t != JsonToken.END_ARRAY) {
            throw new MalformedLineException(field.key + ": expected an array of strings, found " + describe(t)
                + " in it");
        }
        return List.copyOf(items);
    }

    private static boolean isText(final ConnField field) {
        switch (field) {
            case UID:
            case ORIG_H:
            case RESP_H:
            case PROTO:
            case COMMUNITY_ID:
            case TUNNEL_TYPE:
            case ACTION:
                return true;
            default:
                return false;
        }
    }

    private static String describe(final JsonToken t) {
        if (t == null) {
            return "the end of the line";
        }
        switch (t) {
            case START_OBJECT:
                return "an object";
            case START_ARRAY:
                return "an array";
            case VALUE_TRUE:
            case VALUE_FALSE:
                return "a boolean";
            case VALUE_NULL:
                return "null";
            case VALUE_STRING:
                return "a string";
            case VALUE_NUMBER_INT:
            case VALUE_NUMBER_FLOAT:
                return "a number";
            default:
                return t.toString();
        }
    }
}
