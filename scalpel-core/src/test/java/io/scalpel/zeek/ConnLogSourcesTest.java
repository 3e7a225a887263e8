package io.scalpel.zeek;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.luben.zstd.ZstdOutputStream;
import io.scalpel.api.Scalpel;
import io.scalpel.testdata.CaptureGenerator;
import io.scalpel.testdata.Generated;
import io.scalpel.testdata.GeneratorSpec;
import io.scalpel.testdata.ParquetConnLogWriter;
import io.scalpel.testdata.ParquetConnLogWriter.Naming;
import io.scalpel.testdata.ParquetConnLogWriter.Times;
import io.scalpel.testing.ConnLogs;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * conn.logs as Parquet (written by DuckDB from the TSV), zstd-compressed, and as a directory of
 * rotated files give the rows of the same conn.log in TSV, and slicing them gives byte-identical
 * extracts. Hostile files give one clear error naming the file.
 */
class ConnLogSourcesTest {
    @TempDir
    Path dir;
    Path capture;
    Path tsv;
    Generated truth;

    @BeforeEach
    void generate() throws IOException {
        capture = dir.resolve("cap.pcap");
        tsv = dir.resolve("conn.tsv.log");
        truth = CaptureGenerator.generate(GeneratorSpec.defaults(4242).withConnections(40).withVlan(true), capture, tsv);
    }

    @ParameterizedTest
    @CsvSource({
        "DOTTED, TIMESTAMP_MICROS, snappy, 7",
        "UNDERSCORED, DOUBLE_SECONDS, zstd, 2048",
        "NESTED, TIMESTAMP_NANOS, gzip, 5",
        "UNDERSCORED, TIMESTAMP_NANOS, uncompressed, 16",
        "DOTTED, DOUBLE_SECONDS, snappy, 1"})
    void shouldReadParquetConnLogsAsTheTsvAndSliceTheSameBytes(final Naming naming, final Times times, final String codec,
                                                                final int rowGroup) throws IOException {
        final Path parquet = dir.resolve("conn.parquet");
        ParquetConnLogWriter.convert(tsv, parquet, naming, times, codec, rowGroup);

        assertSameRowsAndExtract(parquet);
    }

    @Test
    void shouldReadAZstdCompressedConnLog() throws IOException {
        final Path zst = dir.resolve("conn.log.zst");
        try (OutputStream out = new ZstdOutputStream(Files.newOutputStream(zst))) {
            Files.copy(tsv, out);
        }

        assertSameRowsAndExtract(zst);
    }

    @Test
    void shouldReadADirectoryOfRotatedLogsInNameOrderWithTheLiveLogLast() throws IOException {
        final Path logs = Files.createDirectory(dir.resolve("logs"));
        final List<String> lines = Files.readAllLines(tsv);
        final List<String> header = lines.stream().filter(l -> l.startsWith("#") && !l.startsWith("#close")).toList();
        final List<String> rows = lines.stream().filter(l -> !l.startsWith("#")).toList();
        final int third = rows.size() / 4;
        // Written out of order on purpose: the reader sorts by name.
        write(logs.resolve("conn.log"), header, rows.subList(3 * third, rows.size()));
        final Path parquetPart = write(dir.resolve("part3.log"), header, rows.subList(2 * third, 3 * third));
        ParquetConnLogWriter.convert(parquetPart, logs.resolve("conn.2026-11-30-12-00-00.parquet"), Naming.UNDERSCORED,
            Times.TIMESTAMP_MICROS, "snappy", 3);
        try (OutputStream out = new ZstdOutputStream(Files.newOutputStream(logs.resolve("conn.2026-11-30-11-00-00.log.zst")))) {
            out.write(text(header, rows.subList(third, 2 * third)));
        }
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(logs.resolve("conn.2026-11-30-10-00-00.log.gz")))) {
            out.write(text(header, rows.subList(0, third)));
        }
        // Not conn logs: skipped.
        Files.writeString(logs.resolve("dns.2026-11-30-10-00-00.log"), "garbage");
        Files.writeString(logs.resolve("conn-summary.log"), "garbage");
        Files.writeString(logs.resolve(".conn.log.swp"), "garbage");
        Files.createDirectory(logs.resolve("conn.old"));

        assertEquals(List.of("conn.2026-11-30-10-00-00.log.gz", "conn.2026-11-30-11-00-00.log.zst",
            "conn.2026-11-30-12-00-00.parquet", "conn.log"),
            RotatedLogs.files(logs, ZeekLogKind.CONN).stream().map(p -> p.getFileName().toString()).toList());
        assertSameRowsAndExtract(logs);
    }

    @Test
    void shouldNameTheFileAndLineOfABadRowInADirectory() throws IOException {
        final Path logs = Files.createDirectory(dir.resolve("logs"));
        final List<String> lines = new ArrayList<>(Files.readAllLines(tsv));
        final int bad = lines.size() - 2; // the last row; the #close line follows
        lines.set(bad, lines.get(bad).replaceFirst("\t(tcp|udp|icmp)\t", "\t-\t"));
        Files.write(logs.resolve("conn.log"), lines);
        final List<String> reports = new ArrayList<>();

        try (ConnLogReader r = ConnLogReader.open(logs, (source, line, message) -> reports.add(source + " line " + line + ": " + message))) {
            while (r.next() != null) {
                // read all
            }
            assertEquals(1, r.malformedLines());
        }

        assertEquals(List.of(logs.resolve("conn.log") + " line " + (bad + 1) + ": proto is missing or unset"), reports);
    }

    @Test
    void shouldRefuseADirectoryWithoutConnLogs() throws IOException {
        final Path logs = Files.createDirectory(dir.resolve("logs"));
        Files.writeString(logs.resolve("dns.log"), "#fields\tts\n");

        final ConnLogFormatException e = assertThrows(ConnLogFormatException.class, () -> ConnLogReader.open(logs, ConnLogListener.IGNORE));

        assertEquals(logs + ": directory holds no conn.log (files named conn.*, like conn.log, conn.2026-11-30-10-00-00.log.gz"
            + " or conn.parquet)", e.getMessage());
    }

    @Test
    void shouldRefuseAParquetFileWithoutARequiredColumnNamingIt() throws IOException {
        final Path parquet = dir.resolve("no-port.parquet");
        ParquetConnLogWriter.sql("COPY (SELECT 'C1' AS uid, '10.0.0.1' AS \"id.orig_h\", '10.0.0.2' AS \"id.resp_h\", 80 AS \"id.resp_p\","
            + " 'tcp' AS proto) TO '" + parquet + "' (FORMAT parquet)");

        final ConnLogFormatException e = assertThrows(ConnLogFormatException.class, () -> ConnLogReader.open(parquet, ConnLogListener.IGNORE));

        assertEquals(parquet + ": Parquet file has no id.orig_p column (nor id_orig_p or orig_p); is this a conn.log?", e.getMessage());
    }

    @Test
    void shouldRefuseAParquetColumnOfTheWrongTypeNamingIt() throws IOException {
        final Path parquet = dir.resolve("int-address.parquet");
        ParquetConnLogWriter.sql("COPY (SELECT 'C1' AS uid, 167772161 AS id_orig_h, 1 AS id_orig_p, '10.0.0.2' AS id_resp_h,"
            + " 80 AS id_resp_p, 'tcp' AS proto) TO '" + parquet + "' (FORMAT parquet)");
        final Path boolTs = dir.resolve("bool-ts.parquet");
        ParquetConnLogWriter.sql("COPY (SELECT true AS ts, 'C1' AS uid, '10.0.0.1' AS id_orig_h, 1 AS id_orig_p, '10.0.0.2' AS id_resp_h,"
            + " 80 AS id_resp_p, 'tcp' AS proto) TO '" + boolTs + "' (FORMAT parquet)");

        final Path doublePort = dir.resolve("double-port.parquet");
        ParquetConnLogWriter.sql("COPY (SELECT 'C1' AS uid, '10.0.0.1' AS id_orig_h, 1 AS id_orig_p, '10.0.0.2' AS id_resp_h,"
            + " 80.5::DOUBLE AS id_resp_p, 'tcp' AS proto) TO '" + doublePort + "' (FORMAT parquet)");

        final ConnLogFormatException address = assertThrows(ConnLogFormatException.class,
            () -> ConnLogReader.open(parquet, ConnLogListener.IGNORE));
        final ConnLogFormatException ts = assertThrows(ConnLogFormatException.class,
            () -> ConnLogReader.open(boolTs, ConnLogListener.IGNORE));
        final ConnLogFormatException port = assertThrows(ConnLogFormatException.class,
            () -> ConnLogReader.open(doublePort, ConnLogListener.IGNORE));

        assertEquals(parquet + ": Parquet column id_orig_h is INT32 (INTEGER(32,true)); id.orig_h must be a string (BINARY)",
            address.getMessage());
        assertTrue(ts.getMessage().startsWith(boolTs + ": Parquet column ts is BOOLEAN; ts must be a TIMESTAMP"), ts.getMessage());
        assertEquals(doublePort + ": Parquet column id_resp_p is DOUBLE; id.resp_p must be INT32, INT64 or a string",
            port.getMessage());
    }

    @Test
    void shouldReportAParquetRowWithABadValueByItsRowNumberAndGoOn() throws IOException {
        final Path parquet = dir.resolve("bad-port.parquet");
        ParquetConnLogWriter.sql("COPY (SELECT * FROM (VALUES ('C1', '10.0.0.1', 1, '10.0.0.2', 80, 'tcp'),"
            + " ('C2', '10.0.0.1', 70000, '10.0.0.2', 80, 'tcp'), ('C3', '10.0.0.1', 3, '10.0.0.2', NULL, 'udp'),"
            + " ('C4', '10.0.0.1', 4, '10.0.0.2', 53, 'udp'))"
            + " t(uid, id_orig_h, id_orig_p, id_resp_h, id_resp_p, proto)) TO '" + parquet + "' (FORMAT parquet)");
        final List<String> reports = new ArrayList<>();
        final List<String> uids = new ArrayList<>();

        try (ConnLogReader r = ConnLogReader.open(parquet, (source, line, message) -> reports.add(source + " line " + line + ": " + message))) {
            ConnRecord c;
            while ((c = r.next()) != null) {
                uids.add(c.uid() + "@" + c.line());
            }
        }

        assertEquals(List.of("C1@1", "C4@4"), uids);
        assertEquals(List.of(parquet + " line 2: id.orig_p: '70000' is not a port (0-65535)",
            parquet + " line 3: id.resp_p is missing or unset"), reports);
    }

    @Test
    void shouldReadMillisecondTimestampsIntervalsAndStringPorts() throws IOException {
        final Path parquet = dir.resolve("ms.parquet");
        ParquetConnLogWriter.sql("COPY (SELECT TIMESTAMP_MS '2023-11-14 22:13:27.932' AS ts, 'C1' AS uid,"
            + " '10.0.0.1' AS id_orig_h, '1234' AS id_orig_p, '10.0.0.2' AS id_resp_h, 80::BIGINT AS id_resp_p,"
            + " 'tcp' AS proto, INTERVAL '1 day 1.5 seconds' AS duration, 7::UTINYINT AS vlan, 3.25::FLOAT AS orig_bytes)"
            + " TO '" + parquet + "' (FORMAT parquet)");

        final List<ConnRecord> rows = ConnLogs.readStrictly(parquet);

        assertEquals(1, rows.size());
        final ConnRecord r = rows.get(0);
        assertEquals(1_700_000_007_932_000_000L, r.tsNanos(), "2023-11-14T22:13:27.932Z");
        assertEquals(86_401_500_000_000L, r.durationNanos(), "1 day 1.5 s");
        assertEquals(1234, r.origPort());
        assertEquals(80, r.respPort());
        assertEquals(7, r.vlan());
        assertEquals(1, r.line());
    }

    @Test
    void shouldRefuseATruncatedParquetFile() throws IOException {
        final Path good = dir.resolve("conn.parquet");
        ParquetConnLogWriter.convert(tsv, good, Naming.DOTTED, Times.TIMESTAMP_MICROS, "snappy", 8);
        final byte[] bytes = Files.readAllBytes(good);
        final Path cut = Files.write(dir.resolve("cut.parquet"), Arrays.copyOf(bytes, bytes.length / 2));

        final ConnLogFormatException e = assertThrows(ConnLogFormatException.class, () -> ConnLogReader.open(cut, ConnLogListener.IGNORE));

        assertTrue(e.getMessage().startsWith(cut + ": unreadable Parquet file ("), e.getMessage());
    }

    @Test
    void shouldRefuseCorruptAndTruncatedZstd() throws IOException {
        final Path zst = dir.resolve("conn.log.zst");
        try (OutputStream out = new ZstdOutputStream(Files.newOutputStream(zst))) {
            Files.copy(tsv, out);
        }
        final byte[] bytes = Files.readAllBytes(zst);
        final Path cut = Files.write(dir.resolve("cut.log.zst"), Arrays.copyOf(bytes, bytes.length / 2));
        final byte[] garbled = bytes.clone();
        for (int i = 8; i < garbled.length; i += 3) {
            garbled[i] ^= 0x5A;
        }
        final Path corrupt = Files.write(dir.resolve("corrupt.log.zst"), garbled);

        for (Path p : List.of(cut, corrupt)) {
            final ConnLogFormatException e = assertThrows(ConnLogFormatException.class, () -> ConnLogs.readStrictly(p), p::toString);
            assertTrue(e.getMessage().startsWith(p + " line ") && e.getMessage().contains(": unreadable zstd data: "), e.getMessage());
        }
    }

    @Test
    void shouldReadAConnLogFromANamedPipeWithoutLosingItsFirstBytes() throws Exception {
        final Path fifo = dir.resolve("conn.fifo");
        final Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).start();
        org.junit.jupiter.api.Assumptions.assumeTrue(mkfifo.waitFor() == 0, "mkfifo is not available here");
        final Thread writer = new Thread(() -> {
            try (OutputStream out = Files.newOutputStream(fifo)) {
                Files.copy(tsv, out);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        writer.start();

        final List<ConnRecord> rows = ConnLogs.readStrictly(fifo);
        writer.join();

        assertEquals(withoutLines(ConnLogs.readStrictly(tsv)), withoutLines(rows));
    }

    @Test
    void shouldRefuseParquetOnAStream() {
        final ConnLogFormatException e = assertThrows(ConnLogFormatException.class, () -> ConnLogReader.open(
            new ByteArrayInputStream("PAR1\u0015\u0000".getBytes(StandardCharsets.ISO_8859_1)), "<stdin>", ConnLogListener.IGNORE));

        assertEquals("<stdin>: a Parquet file: give its path (Parquet is read from the footer at its end), not a stream such as stdin",
            e.getMessage());
    }

    private void assertSameRowsAndExtract(final Path source) throws IOException {
        final List<ConnRecord> expected = ConnLogs.readStrictly(tsv);
        final List<ConnRecord> actual = ConnLogs.readStrictly(source);
        assertEquals(truth.conns().size(), expected.size(), "rows of the TSV");
        assertEquals(withoutLines(expected), withoutLines(actual), source + " vs the TSV");
        final Path fromTsv = dir.resolve("from-tsv.pcap");
        final Path fromSource = dir.resolve("from-source.pcap");
        try (Scalpel s = Scalpel.open(capture, Scalpel.Options.defaults().withIndex(dir.resolve("idx")).withVlanAware(true))) {
            s.slice(expected, fromTsv);
            s.slice(actual, fromSource);
        }
        assertTrue(Files.size(fromTsv) > 24, "the TSV's uids have packets");
        assertArrayEquals(Files.readAllBytes(fromTsv), Files.readAllBytes(fromSource), "extract of " + source + " vs of the TSV");
    }


    private static List<String> withoutLines(final List<ConnRecord> rows) {
        return rows.stream().map(r -> r.toString().replaceFirst("line=\\d+", "line=?")).toList();
    }

    private static Path write(final Path file, final List<String> header, final List<String> rows) throws IOException {
        return Files.write(file, text(header, rows));
    }

    private static byte[] text(final List<String> header, final List<String> rows) {
        final List<String> all = new ArrayList<>(header);
        all.addAll(rows);
        return (String.join("\n", all) + "\n").getBytes(StandardCharsets.UTF_8);
    }
}
