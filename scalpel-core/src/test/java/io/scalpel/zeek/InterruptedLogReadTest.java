package io.scalpel.zeek;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.Writer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A conn.log read by a thread that is interrupted stops with an I/O error and gives no rows, for a
 * small log (read through a channel) and for one of 16 MiB or more (mapped and searched in pieces
 * on several threads): what a slice's search ahead relies on to stop when the index cannot be
 * opened; and a Parquet log, whose reads parquet-java makes, at its next row. Oracle: the same read, not
 * interrupted, finds the row the test wrote.
 */
class InterruptedLogReadTest {
    private static final String HEADER = "#separator \\x09\n#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\n"
        + "#types\ttime\tstring\taddr\tport\taddr\tport\tenum\n";

    @TempDir
    Path dir;

    private Path log(final String name, final long bytes) throws IOException {
        final Path p = dir.resolve(name);
        try (Writer w = Files.newBufferedWriter(p)) {
            w.write(HEADER);
            long written = HEADER.length();
            for (int i = 0; written < bytes; i++) {
                final String row = String.format("%d.000000\tC%017d\t10.0.%d.%d\t%d\t10.1.0.1\t443\ttcp\n", 1_700_000_000 + i, i,
                    (i >> 8) & 0xFF, i & 0xFF, 1024 + (i & 0x7FFF));
                w.write(row);
                written += row.length();
            }
        }
        return p;
    }

    @Test
    void shouldStopAnInterruptedReadOfASmallOrALargeLog() throws IOException {
        for (Path log : new Path[] {log("small.log", 64 << 10), log("large.log", (16L << 20) + (1 << 20))}) {
            final String uid = String.format("C%017d", 7);
            assertEquals(Set.of(uid), ConnSelection.read(log.toString(), Set.of(uid), r -> false, ConnLogListener.IGNORE, 2)
                .rows().keySet(), "not interrupted, the row is found");
            Thread.currentThread().interrupt();
            try {
                final IOException e = assertThrows(IOException.class,
                    () -> ConnSelection.read(log.toString(), Set.of(uid), r -> false, ConnLogListener.IGNORE, 2), log::toString);
                assertTrue(e instanceof InterruptedIOException || e instanceof ClosedByInterruptException, e::toString);
            } finally {
                Thread.interrupted();
            }
        }
    }

    @Test
    void shouldStopAnInterruptedReadOfAParquetLog() throws IOException {
        final Path parquet = dir.resolve("conn.parquet");
        io.scalpel.testdata.ParquetConnLogWriter.convert(log("for-parquet.log", 256 << 10), parquet,
            io.scalpel.testdata.ParquetConnLogWriter.Naming.DOTTED, io.scalpel.testdata.ParquetConnLogWriter.Times.TIMESTAMP_MICROS,
            "zstd", 1000);
        final String uid = String.format("C%017d", 7);
        assertEquals(Set.of(uid), ConnSelection.read(parquet.toString(), Set.of(uid), r -> false, ConnLogListener.IGNORE, 2)
            .rows().keySet(), "not interrupted, the row is found");
        // interrupted in the middle of its rows: parquet-java's file reads do not stop for it, the reader does at its next row
        try (ConnLogReader reader = ConnLogReader.open(parquet, ConnLogListener.IGNORE)) {
            assertTrue(reader.next() != null, "a first row");
            Thread.currentThread().interrupt();
            try {
                assertThrows(InterruptedIOException.class, () -> {
                    while (reader.next() != null) {
                        continue; // a reader that ignores the interrupt reads on to the end and returns null
                    }
                });
            } finally {
                Thread.interrupted();
            }
        }
    }
}
