package io.scalpel.zeek;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Every limit of the JSON lines reader (nesting depth, number length, key length, line length)
 * is a skipped line named by its number, with a one-line message; the lines around it are read.
 * The lines are built here with the sizes the limits are about, so the expectations (which line
 * numbers are skipped, which uids are read) come from the test's own input.
 */
class JsonLimitsTest {
    private static final String TUPLE = "\"id.orig_h\":\"10.0.0.1\",\"id.orig_p\":1000,\"id.resp_h\":\"10.0.0.2\",\"id.resp_p\":80,\"proto\":\"tcp\"";

    private static String row(final String uid, final String more) {
        return "{\"ts\":1700000000.5,\"uid\":\"" + uid + "\"," + TUPLE + more + "}\n";
    }

    private static String lower(final String s) {
        return s.toLowerCase(java.util.Locale.ROOT);
    }

    @Test
    void shouldSkipEachLineBeyondAJsonLimitWithItsLineNumber() throws IOException {
        final Map<Long, String> skipped = new TreeMap<>();
        final String log = row("Cfirst", "")                                                          // line 1
            + row("Cdeep", ",\"x\":" + "[".repeat(1000) + "]".repeat(1000))                        // line 2: 1001 levels
            + row("Cdeeper", ",\"x\":" + "{\"a\":".repeat(5000) + "1" + "}".repeat(5000))          // line 3
            + "{\"ts\":" + "1".repeat(2000) + ",\"uid\":\"Clongts\"," + TUPLE + "}\n"               // line 4: 2000 digits
            + "{\"ts\":" + "9".repeat(999) + ",\"uid\":\"Cbigts\"," + TUPLE + "}\n"                 // line 5: 999 digits
            + row("Clongkey", ",\"" + "k".repeat(50_001) + "\":1")                                 // line 6
            + row("Clongline", ",\"pad\":\"" + "p".repeat(ConnLogReader.MAX_LINE_LENGTH) + "\"")   // line 7
            + row("Clast", "");                                                                    // line 8
        final List<String> uids = new ArrayList<>();
        try (ConnLogReader reader = ConnLogReader.open(new ByteArrayInputStream(log.getBytes(StandardCharsets.UTF_8)), "limits.json",
            (source, line, message) -> skipped.put(line, message))) {
            ConnRecord r;
            while ((r = reader.next()) != null) {
                uids.add(r.uid());
            }
        }

        assertEquals(List.of("Cfirst", "Clast"), uids, "the rows around the ones beyond a limit");
        assertEquals(List.of(2L, 3L, 4L, 5L, 6L, 7L), new ArrayList<>(skipped.keySet()), "skipped lines: " + skipped);
        for (Map.Entry<Long, String> e : skipped.entrySet()) {
            final String m = e.getValue();
            assertFalse(m.contains("\n") || m.contains("\r"), "line " + e.getKey() + ": one line: " + m);
            assertFalse(m.contains("StreamReadConstraints") || m.contains("Exception"), "line " + e.getKey() + ": " + m);
            assertTrue(m.length() < 300, "line " + e.getKey() + ": a short message: " + m);
        }
        assertTrue(lower(skipped.get(2L)).contains("nesting depth"), skipped.get(2L));
        assertTrue(lower(skipped.get(4L)).contains("number") && skipped.get(4L).contains("2000"), skipped.get(4L));
        assertTrue(skipped.get(5L).contains("ts"), skipped.get(5L));
        assertTrue(lower(skipped.get(6L)).contains("name") && skipped.get(6L).contains("50001"), skipped.get(6L));
        assertTrue(skipped.get(7L).contains("longer than " + ConnLogReader.MAX_LINE_LENGTH), skipped.get(7L));
    }
}
