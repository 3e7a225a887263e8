package io.scalpel.serve;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.util.LinkedHashMap;
import java.util.Map;

/** The service's JSON: bodies of maps and lists, and values quoted inside a message. */
final class Json {
    /** Characters of a request's value shown in a message; the rest is cut. */
    static final int MAX_QUOTED = 200;
    private static final ObjectMapper MAPPER = new ObjectMapper().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

    private Json() {
    }

    static byte[] bytes(final Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("not serialisable as JSON: " + value.getClass().getName(), e);
        }
    }

    /** The body of an error: {@code {"status":N,"error":"..."}}. */
    static byte[] error(final int status, final String reason) {
        return error(status, reason, -1);
    }

    /** The body of an error at a query expression's {@code column}: {@code {"status":N,"error":"...","column":N}} (-1: none). */
    static byte[] error(final int status, final String reason, final int column) {
        final Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", status);
        body.put("error", reason);
        if (column >= 0) {
            body.put("column", column);
        }
        return bytes(body);
    }

    /** {@code value} in double quotes, escaped as in JSON, cut to {@value #MAX_QUOTED} characters. */
    static String quote(final String value) {
        final String cut = value.length() > MAX_QUOTED ? value.substring(0, MAX_QUOTED) + "..." : value;
        return "\"" + new String(JsonStringEncoder.getInstance().quoteAsString(cut)) + "\"";
    }
}
