package io.scalpel.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;

/**
 * Zeek's {@code service} column of a conn row, which the join does not parse, from the row's text
 * as {@link io.scalpel.api.ConnLogIndex#text} gives it (its line after its file's header lines):
 * JSON lines by key, Zeek's TSV by its {@code #fields} header, a TSV or CSV by its header line.
 * Unset ({@code -}, {@code (empty)}, empty) or absent is null.
 */
final class ServiceColumn {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ServiceColumn() {
    }

    static String of(final String text) {
        if (text == null) {
            return null;
        }
        final String[] lines = text.split("\n");
        final String row = strip(lines[lines.length - 1]);
        if (row.startsWith("{")) {
            try {
                final JsonNode service = JSON.readTree(row).get("service");
                return service == null || !service.isTextual() ? null : unset(service.asText());
            } catch (java.io.IOException e) {
                return null;
            }
        }
        List<String> names = null;
        for (int i = 0; i < lines.length - 1; i++) {
            final String line = strip(lines[i]);
            if (line.startsWith("#fields\t")) {
                names = List.of(line.substring("#fields\t".length()).split("\t", -1));
            } else if (names == null && !line.startsWith("#") && !line.isBlank()) {
                names = split(line);
            }
        }
        if (names == null) {
            return null;
        }
        final int column = names.indexOf("service");
        final List<String> values = split(row);
        return column < 0 || column >= values.size() ? null : unset(values.get(column));
    }

    /** A TSV line by its tabs; else a CSV line by its commas, quotes kept together and dropped. */
    private static List<String> split(final String line) {
        if (line.indexOf('\t') >= 0) {
            return List.of(line.split("\t", -1));
        }
        final List<String> values = new ArrayList<>();
        final StringBuilder v = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            final char c = line.charAt(i);
            if (c == '"') {
                if (quoted && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    v.append('"');
                    i++;
                } else {
                    quoted = !quoted;
                }
            } else if (c == ',' && !quoted) {
                values.add(v.toString());
                v.setLength(0);
            } else {
                v.append(c);
            }
        }
        values.add(v.toString());
        return values;
    }

    private static String strip(final String line) {
        return line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
    }

    private static String unset(final String value) {
        return value.isEmpty() || value.equals("-") || value.equals("(empty)") ? null : value;
    }
}
