package io.scalpel.spark;

import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import org.apache.spark.sql.Row;
import scala.collection.Iterable;

/**
 * Conn rows of a DataFrame written as a Zeek TSV conn.log, for the core's conn.log reader to read
 * as it reads any: the join's rows mean on an executor what the same log means to {@code scalpel
 * slice}. A string goes as it is (Zeek's {@code -} and {@code (empty)} included; a tab, a line
 * break or a backslash escaped as Zeek escapes them), null as unset, a number in plain decimal,
 * a Spark timestamp as epoch seconds with its fraction, a set as Zeek's comma-separated list.
 */
final class ConnTsv {
    /** Lines before the first row. */
    static final int HEADER_LINES = 5;
    private static final int NANOS_DIGITS = 9;

    private ConnTsv() {
    }

    /**
     * The log of {@code rows}, whose columns {@code first}, {@code first + 1}, ... are {@code names}.
     * Row {@code i} is line {@code HEADER_LINES + 1 + i}.
     */
    static byte[] of(final List<Row> rows, final List<String> names, final int first) {
        final StringBuilder s = new StringBuilder(128 + rows.size() * 96);
        s.append("#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#fields");
        for (String n : names) {
            s.append('\t').append(n);
        }
        s.append('\n');
        final ByteArrayOutputStream out = new ByteArrayOutputStream(s.length() * 2);
        for (Row r : rows) {
            for (int i = 0; i < names.size(); i++) {
                if (i > 0) {
                    s.append('\t');
                }
                value(s, r.get(first + i));
            }
            s.append('\n');
            if (s.length() > 1 << 16) {
                out.writeBytes(s.toString().getBytes(StandardCharsets.UTF_8));
                s.setLength(0);
            }
        }
        out.writeBytes(s.toString().getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    private static void value(final StringBuilder s, final Object v) {
        if (v == null) {
            s.append('-');
        } else if (v instanceof String t) {
            escaped(s, t);
        } else if (v instanceof Double || v instanceof Float) {
            s.append(new BigDecimal(v.toString()).toPlainString());
        } else if (v instanceof BigDecimal d) {
            s.append(d.toPlainString());
        } else if (v instanceof Timestamp t) {
            seconds(s, t.toInstant());
        } else if (v instanceof Instant t) {
            seconds(s, t);
        } else if (v instanceof Boolean b) {
            s.append(b ? 'T' : 'F');
        } else if (v instanceof Iterable<?> set) {
            set(s, scala.jdk.javaapi.CollectionConverters.asJava(set));
        } else if (v instanceof java.util.Collection<?> set) {
            set(s, set);
        } else {
            escaped(s, v.toString());
        }
    }

    private static void set(final StringBuilder s, final java.lang.Iterable<?> values) {
        final int start = s.length();
        for (Object e : values) {
            if (s.length() > start) {
                s.append(',');
            }
            escaped(s, String.valueOf(e));
        }
        if (s.length() == start) {
            s.append("(empty)");
        }
    }

    private static void seconds(final StringBuilder s, final Instant t) {
        final String nanos = Integer.toString(t.getNano());
        s.append(t.getEpochSecond()).append('.').append("0".repeat(NANOS_DIGITS - nanos.length())).append(nanos);
    }

    /** Zeek's escapes for the characters that would split a field or a line. */
    private static void escaped(final StringBuilder s, final String t) {
        for (int i = 0; i < t.length(); i++) {
            final char c = t.charAt(i);
            if (c == '\t' || c == '\n' || c == '\r' || c == '\\') {
                s.append(String.format("\\x%02x", (int) c));
            } else {
                s.append(c);
            }
        }
    }
}
