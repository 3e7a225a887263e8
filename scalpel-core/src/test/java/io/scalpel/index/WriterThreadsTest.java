package io.scalpel.index;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scalpel.capture.MappedFile;
import io.scalpel.testdata.CaptureFileFormat;
import io.scalpel.testdata.CaptureGenerator;
import io.scalpel.testdata.GeneratorSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A build on one writer thread, or on none (the scan thread writes), writes the index a build on two writes: the same part files, each
 * with the same rows in the same order (read by DuckDB, not by the index's own reader), and in
 * the same JVM the same bytes, manifest included; so does a second build on two threads (each
 * table's Parquet settings are its own, not those of whichever table parquet-java's shared
 * values-writer factory saw last). The captures are generated with every feature on, in pcap and
 * pcapng, and built with small chunks so that each main part receives several chunks.
 */
class WriterThreadsTest {
    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0} seed {1}, {2} connections, chunks of {3} rows")
    @CsvSource({
        "PCAP_USEC_LE, 4101, 40, 64",
        "PCAPNG_LE, 4102, 40, 64",
        "PCAP_NSEC_BE, 4103, 200, 128",
        "PCAP_USEC_LE, 4104, 30, " + IndexBuilder.CHUNK_ROWS,
    })
    void shouldWriteTheSameIndexWithOneWriterThreadOrNoneAsWithTwo(final CaptureFileFormat format, final long seed,
                                                              final int connections, final int chunkRows) throws Exception {
        final Path capture = dir.resolve("c.pcap");
        CaptureGenerator.generate(GeneratorSpec.everything(seed).withFormat(format).withConnections(connections), capture, null);
        final Path two = dir.resolve("two.scalpel");
        final Path one = dir.resolve("one.scalpel");
        final Path twoAgain = dir.resolve("two-again.scalpel");
        final Path inline = dir.resolve("inline.scalpel");
        new IndexBuilder(capture, two, MappedFile.DEFAULT_SEGMENT_SIZE, chunkRows).build();
        new IndexBuilder(capture, one, MappedFile.DEFAULT_SEGMENT_SIZE, chunkRows).writerThreads(1).build();
        new IndexBuilder(capture, twoAgain, MappedFile.DEFAULT_SEGMENT_SIZE, chunkRows).build();
        new IndexBuilder(capture, inline, MappedFile.DEFAULT_SEGMENT_SIZE, chunkRows).writerThreads(IndexBuilder.INLINE_WRITER).build();

        final List<String> files = files(two);
        assertEquals(files, files(one), "the same files");
        assertEquals(files, files(inline), "the same files without writer threads");
        final IndexManifest manifest = IndexManifest.read(two.resolve(IndexSchema.MANIFEST_FILE));
        if (chunkRows < IndexBuilder.CHUNK_ROWS) {
            assertTrue(manifest.parts().size() >= 2 && manifest.resume().nextChunk() >= 4,
                () -> "several chunks on both main parts: " + manifest.parts().size() + " parts, "
                    + manifest.resume().nextChunk() + " chunks");
        }
        long packetRows = 0;
        for (String f : files) {
            if (f.endsWith(".parquet")) {
                final List<String> expected = rows(two.resolve(f));
                assertEquals(expected, rows(one.resolve(f)), f);
                assertEquals(expected, rows(inline.resolve(f)), "without writer threads: " + f);
                packetRows += f.startsWith(IndexSchema.PACKETS_DIR) ? expected.size() : 0;
            }
        }
        assertTrue(packetRows >= manifest.packets(), () -> "every frame has a row: " + manifest.packets());
        for (String f : files) {
            final byte[] expected = Files.readAllBytes(two.resolve(f));
            assertArrayEquals(expected, Files.readAllBytes(one.resolve(f)), "one writer thread: " + f);
            assertArrayEquals(expected, Files.readAllBytes(twoAgain.resolve(f)), "two writer threads again: " + f);
            assertArrayEquals(expected, Files.readAllBytes(inline.resolve(f)), "no writer thread: " + f);
        }
    }

    /** The files of an index, relative to it, sorted. */
    private static List<String> files(final Path index) throws IOException {
        try (Stream<Path> s = Files.walk(index)) {
            return s.filter(Files::isRegularFile).map(p -> index.relativize(p).toString()).sorted().toList();
        }
    }

    /** Every row of a Parquet file, in file order, as DuckDB reads it. */
    private static List<String> rows(final Path parquet) throws SQLException {
        final List<String> rows = new ArrayList<>();
        try (Connection db = DriverManager.getConnection("jdbc:duckdb:");
             Statement st = db.createStatement();
             ResultSet r = st.executeQuery("SELECT * FROM read_parquet('" + parquet.toString().replace("'", "''")
                 + "', file_row_number = true) ORDER BY file_row_number")) {
            final int columns = r.getMetaData().getColumnCount();
            while (r.next()) {
                final StringBuilder row = new StringBuilder();
                for (int c = 1; c <= columns; c++) {
                    final Object v = r.getObject(c);
                    row.append(v instanceof byte[] b ? HexFormat.of().formatHex(b) : String.valueOf(v)).append('|');
                }
                rows.add(row.toString());
            }
        }
        return rows;
    }
}
