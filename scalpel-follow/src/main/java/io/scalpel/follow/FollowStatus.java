package io.scalpel.follow;

import java.util.Map;

/** A status line of {@code scalpel follow}, as a JSON object or as a line of text. */
final class FollowStatus {
    private FollowStatus() {
    }

    /** The values as one JSON object on one line, in their order. */
    static String json(final Map<String, Object> status) {
        final StringBuilder b = new StringBuilder("{");
        for (Map.Entry<String, Object> e : status.entrySet()) {
            if (b.length() > 1) {
                b.append(',');
            }
            b.append('"').append(e.getKey()).append("\":");
            final Object v = e.getValue();
            if (v == null || v instanceof Number || v instanceof Boolean) {
                b.append(v);
            } else {
                b.append('"');
                for (char c : v.toString().toCharArray()) {
                    if (c == '"' || c == '\\') {
                        b.append('\\').append(c);
                    } else if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
                b.append('"');
            }
        }
        return b.append('}').toString();
    }

    /** The values that matter most, as a line of text. */
    static String text(final Map<String, Object> s) {
        return s.get("extracts") + " extracts (" + s.get("extracts_per_second") + "/s), " + s.get("pending") + " pending"
            + (Boolean.TRUE.equals(s.get("paused")) ? " (reading paused)" : "") + ", lag " + s.get("lag") + ", "
            + s.get("no_packets") + " without packets, " + s.get("other_logs") + " records of other logs, "
            + s.get("bad_records") + " bad; delay p50 " + s.get("delay_p50_ms") + " ms, p99 " + s.get("delay_p99_ms") + " ms";
    }
}
