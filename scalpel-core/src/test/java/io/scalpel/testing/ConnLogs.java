package io.scalpel.testing;

import io.scalpel.zeek.ConnLogReader;
import io.scalpel.zeek.ConnRecord;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reads a whole conn.log for a test; any malformed line fails the test. */
public final class ConnLogs {
    private ConnLogs() {
    }

    public static List<ConnRecord> readStrictly(final Path conn) throws IOException {
        final List<ConnRecord> rows = new ArrayList<>();
        try (ConnLogReader r = ConnLogReader.open(conn, (source, line, message) -> {
            throw new AssertionError(source + ":" + line + ": " + message);
        })) {
            for (ConnRecord c = r.next(); c != null; c = r.next()) {
                rows.add(c);
            }
        }
        return rows;
    }
}
