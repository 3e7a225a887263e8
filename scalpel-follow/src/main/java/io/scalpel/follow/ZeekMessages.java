package io.scalpel.follow;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.scalpel.zeek.ConnLogListener;
import io.scalpel.zeek.ConnLogReader;
import io.scalpel.zeek.ConnRecord;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Zeek's log records as its Kafka writer (zeek-kafka) sends them, told apart and parsed.
 *
 * <p>A record is one JSON object: flat Zeek JSON ({@code "id.orig_h"} keys), or wrapped in its
 * log's name ({@code {"conn": {...}}}, the writer's {@code tag_json}). It is a conn record when
 * its wrapping tag or its {@code _path} says {@code conn}, or, when neither is there (every log on
 * one topic, untagged, or a topic per log), when it has fields only conn.log has
 * ({@link #CONN_ONLY_FIELDS}): dns, http, ssl and the other logs carry {@code uid} and
 * {@code id.*} too, and are {@link Kind#OTHER}. Anything else (not JSON, not an object) is
 * {@link Kind#BAD}.
 *
 * <p>The conn records themselves are parsed by the core's conn.log reader ({@link ConnLogReader}),
 * as JSON lines: {@code ts} as epoch seconds, epoch milliseconds or ISO 8601, nested or flat keys,
 * whatever {@code scalpel slice --conn} takes. {@link #parse} reads many lines at once.
 */
final class ZeekMessages {
    /** Fields of conn.log that no other log of Zeek's has: an untagged record with one is a conn record. */
    static final Set<String> CONN_ONLY_FIELDS = Set.of("conn_state", "orig_pkts", "resp_pkts", "orig_ip_bytes", "resp_ip_bytes");
    private static final String CONN = "conn";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What a record is. */
    enum Kind {
        /** A conn.log record. */
        CONN,
        /** A record of another log (dns, http, ...): ignored, counted. */
        OTHER,
        /** Not a Zeek JSON record at all. */
        BAD
    }

    /**
     * A record told apart.
     *
     * @param kind   what it is
     * @param line   for a conn record, its flat or nested JSON object on one line, unwrapped
     * @param reason for a bad record, what is wrong
     */
    record Classified(Kind kind, byte[] line, String reason) {
    }

    /**
     * What {@link #parse} read: for line {@code i}, its record, or null and why not.
     *
     * @param records each line's conn record, or null
     * @param errors  each line's problem, or null
     */
    record Parsed(ConnRecord[] records, String[] errors) {
    }

    private ZeekMessages() {
    }

    /**
     * Tells what a record is.
     *
     * @param value the record's bytes (a Kafka message's value)
     * @return what it is, and for a conn record its JSON on one line
     */
    static Classified classify(final byte[] value) {
        if (value == null || value.length == 0) {
            return bad("empty record");
        }
        final JsonNode node;
        try {
            node = JSON.readTree(value);
        } catch (JsonProcessingException e) {
            return bad("not JSON (" + e.getOriginalMessage() + ")");
        } catch (IOException e) {
            return bad("not JSON (" + e.getMessage() + ")");
        }
        if (node == null || !node.isObject()) {
            return bad("not a JSON object");
        }
        if (node.size() == 1) {
            final Map.Entry<String, JsonNode> only = node.fields().next();
            if (only.getValue().isObject()) {
                // tag_json: {"conn": {...}}, {"dns": {...}}
                return CONN.equals(only.getKey()) ? conn(only.getValue(), null) : other();
            }
        }
        final JsonNode path = node.get("_path");
        if (path != null && path.isTextual()) {
            return CONN.equals(path.asText()) ? conn(node, value) : other();
        }
        for (Iterator<String> names = node.fieldNames(); names.hasNext();) {
            if (CONN_ONLY_FIELDS.contains(names.next())) {
                return conn(node, value);
            }
        }
        return other();
    }

    /**
     * Parses conn.log lines with the core's reader: {@code header} (a TSV log's {@code #} lines;
     * empty for JSON) then {@code lines}.
     *
     * @param header      the lines the log's format needs before its rows (none for JSON lines)
     * @param lines       the rows, one line each, without line ends
     * @param displayName names the source in the reader's messages
     * @return each line's record, or why it has none
     * @throws IOException when the rows cannot be read as a conn.log at all (a garbled header, say)
     */
    static Parsed parse(final List<byte[]> header, final List<byte[]> lines, final String displayName) throws IOException {
        final ConnRecord[] records = new ConnRecord[lines.size()];
        final String[] errors = new String[lines.size()];
        if (lines.isEmpty()) {
            return new Parsed(records, errors);
        }
        final ByteArrayOutputStream text = new ByteArrayOutputStream();
        for (byte[] h : header) {
            text.write(h);
            text.write('\n');
        }
        for (byte[] l : lines) {
            text.write(l);
            text.write('\n');
        }
        final int first = header.size() + 1;
        final ConnLogListener listener = (source, line, message) -> {
            final long i = line - first;
            if (i >= 0 && i < errors.length) {
                errors[(int) i] = message;
            }
        };
        try (ConnLogReader reader = ConnLogReader.open(new ByteArrayInputStream(text.toByteArray()), displayName, listener)) {
            for (ConnRecord r = reader.next(); r != null; r = reader.next()) {
                final long i = r.line() - first;
                if (i >= 0 && i < records.length) {
                    records[(int) i] = r;
                }
            }
        }
        for (int i = 0; i < lines.size(); i++) {
            if (records[i] == null && errors[i] == null) {
                errors[i] = "not a conn.log row";
            }
        }
        return new Parsed(records, errors);
    }

    private static Classified conn(final JsonNode object, final byte[] raw) {
        if (raw != null && !hasLineBreak(raw)) {
            return new Classified(Kind.CONN, raw, null);
        }
        try {
            return new Classified(Kind.CONN, JSON.writeValueAsBytes(object), null);
        } catch (JsonProcessingException e) {
            return bad("cannot be written on one line (" + e.getOriginalMessage() + ")");
        }
    }

    private static boolean hasLineBreak(final byte[] raw) {
        for (byte b : raw) {
            if (b == '\n' || b == '\r') {
                return true;
            }
        }
        return false;
    }

    private static Classified other() {
        return new Classified(Kind.OTHER, null, null);
    }

    private static Classified bad(final String reason) {
        return new Classified(Kind.BAD, null, reason);
    }
}
