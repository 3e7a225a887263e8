package io.scalpel.zeek;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.parquet.format.converter.ParquetMetadataConverter;

/**
 * Fuzz test of the Parquet conn.log reader (see docs/robustness.md): any bytes written as a file
 * that starts with Parquet's magic end in rows or in one {@link ConnLogFormatException} that names
 * the file and is one printable line; never another exception, and never an allocation of what a
 * damaged footer or page header declares (the fuzz JVM's heap is 1 GiB; a declared list of 2^31
 * elements would exhaust it). The seeds are small conn logs written by DuckDB (SNAPPY, ZSTD,
 * GZIP and uncompressed pages; dotted, underscored and nested id columns) and a footer declaring
 * 2^31 row groups. Without {@code JAZZER_FUZZ} the committed inputs under
 * {@code ParquetConnLogFuzzTestInputs/} run as regression tests.
 */
class ParquetConnLogFuzzTest {
    private static Path file;

    private static synchronized Path file() throws IOException {
        if (file == null) {
            file = Files.createTempFile("scalpel-parquet-fuzz", ".parquet");
            file.toFile().deleteOnExit();
        }
        return file;
    }

    /** Any bytes as a Parquet conn.log. */
    @FuzzTest(maxDuration = "30m")
    void parquetLog(final byte[] bytes) throws IOException {
        final Path f = file();
        Files.write(f, bytes);
        final String source = f.toString();
        final ConnLogListener listener = (src, line, message) -> {
            assertTrue(source.equals(src), src);
            assertTrue(line >= 1, () -> "line " + line);
            assertOneLine(message);
        };
        try (ConnLogReader reader = ConnLogReader.open(f, listener)) {
            ConnRecord r;
            while ((r = reader.next()) != null) {
                assertTrue(r.uid() != null && !r.uid().isEmpty(), "uid");
                assertTrue(r.origPort() >= 0 && r.origPort() <= 0xFFFF && r.respPort() >= 0 && r.respPort() <= 0xFFFF, "ports");
                assertTrue(r.line() >= 1, "row number");
            }
        } catch (ConnLogFormatException e) {
            assertOneLine(e.getMessage());
            assertTrue(e.getMessage().startsWith(source), e::getMessage);
        }
    }

    /**
     * Any bytes as a Parquet footer: what {@link ParquetFooterCheck} accepts, parquet-java's own
     * footer parser must read without allocating beyond it (an OutOfMemoryError is a finding); it
     * may still refuse it with an exception of its own, as the reader then does (exit 3). The seeds
     * are the footers of the DuckDB conn logs above.
     */
    @FuzzTest(maxDuration = "30m")
    void parquetFooter(final byte[] footer) {
        if (ParquetFooterCheck.problem(footer) != null) {
            return;
        }
        try {
            new ParquetMetadataConverter().readParquetMetadata(new ByteArrayInputStream(footer), ParquetMetadataConverter.NO_FILTER);
        } catch (IOException | RuntimeException | NoClassDefFoundError e) {
            // parquet-java's own refusal: ParquetConnLog reports it as an unreadable file
        }
    }

    private static void assertOneLine(final String message) {
        assertTrue(message.chars().noneMatch(Character::isISOControl), () -> "a control character in: " + message);
    }
}
