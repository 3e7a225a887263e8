package io.scalpel.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.luben.zstd.ZstdOutputStream;
import io.scalpel.testdata.CaptureGenerator;
import io.scalpel.testdata.Generated;
import io.scalpel.testdata.GeneratorSpec;
import io.scalpel.testdata.ParquetConnLogWriter;
import io.scalpel.testing.PcapFile;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code slice --conn} with a Parquet conn.log, a zstd-compressed one and a directory of rotated
 * logs writes byte for byte the extract that the same conn.log in TSV gives; the generator's
 * ground truth says which frames that is. Hostile sources give the documented errors.
 */
class ConnLogSourcesCommandTest {
    @TempDir
    Path dir;
    Path capture;
    Path tsv;
    Generated truth;
    byte[] expected;

    @BeforeEach
    void sliceTheTsv() throws IOException {
        capture = dir.resolve("cap.pcap");
        tsv = dir.resolve("conn.tsv.log");
        truth = CaptureGenerator.generate(GeneratorSpec.defaults(77).withConnections(25), capture, tsv);
        final Path out = dir.resolve("from-tsv.pcap");
        final Cli r = Cli.run("slice", capture.toString(), "--conn", tsv.toString(), "--all", "-w", out.toString());
        assertEquals(ExitCode.OK.code(), r.exit(), r::toString);
        expected = Files.readAllBytes(out);
        assertEquals(truth.frames().stream().filter(f -> !f.uids().isEmpty()).count(), PcapFile.read(out).records.size(),
            "the TSV extract holds every frame the generator gave a uid");
    }

    @Test
    void shouldSliceTheSameBytesFromParquetZstdAndARotatedDirectory() throws IOException {
        final Path parquet = dir.resolve("conn.parquet");
        ParquetConnLogWriter.convert(tsv, parquet, ParquetConnLogWriter.Naming.DOTTED, ParquetConnLogWriter.Times.TIMESTAMP_MICROS,
            "snappy", 6);
        final Path zst = dir.resolve("conn.log.zst");
        try (OutputStream out = new ZstdOutputStream(Files.newOutputStream(zst))) {
            Files.copy(tsv, out);
        }
        final Path logs = rotated();

        for (Path source : List.of(parquet, zst, logs)) {
            final Path out = dir.resolve("from-" + source.getFileName() + ".pcap");
            final Cli r = Cli.run("slice", capture.toString(), "--conn", source.toString(), "--all", "-w", out.toString());
            assertEquals(ExitCode.OK.code(), r.exit(), r::toString);
            assertArrayEquals(expected, Files.readAllBytes(out), source + ": extract vs the TSV's");
        }
    }

    @Test
    void shouldExitWithBadInputForAParquetConnLogWithoutARequiredColumn() throws IOException {
        final Path parquet = dir.resolve("no-proto.parquet");
        ParquetConnLogWriter.sql("COPY (SELECT 'C1' AS uid, '10.0.0.1' AS id_orig_h, 1 AS id_orig_p, '10.0.0.2' AS id_resp_h,"
            + " 80 AS id_resp_p) TO '" + parquet + "' (FORMAT parquet)");

        final Cli r = Cli.run("slice", capture.toString(), "--conn", parquet.toString(), "--all", "-w", dir.resolve("o.pcap").toString());

        assertEquals(ExitCode.BAD_INPUT.code(), r.exit(), r::toString);
        assertEquals("scalpel: " + parquet + ": Parquet file has no proto column; is this a conn.log?", lastLine(r.err()));
        assertFalse(Files.exists(dir.resolve("o.pcap")));
    }

    @Test
    void shouldExitWithBadInputForATruncatedParquetConnLog() throws IOException {
        final Path parquet = dir.resolve("conn.parquet");
        ParquetConnLogWriter.convert(tsv, parquet, ParquetConnLogWriter.Naming.UNDERSCORED, ParquetConnLogWriter.Times.DOUBLE_SECONDS,
            "zstd", 4);
        final byte[] bytes = Files.readAllBytes(parquet);
        final Path cut = Files.write(dir.resolve("cut.parquet"), Arrays.copyOf(bytes, bytes.length - 9));

        final Cli r = Cli.run("slice", capture.toString(), "--conn", cut.toString(), "--all", "-w", dir.resolve("o.pcap").toString());

        assertEquals(ExitCode.BAD_INPUT.code(), r.exit(), r::toString);
        assertTrue(lastLine(r.err()).startsWith("scalpel: " + cut + ": unreadable Parquet file (" + cut + " is not a Parquet file"), r::toString);
    }

    @Test
    void shouldExitWithBadInputForCorruptZstdNamingTheLine() throws IOException {
        final Path zst = dir.resolve("conn.log.zst");
        try (OutputStream out = new ZstdOutputStream(Files.newOutputStream(zst))) {
            Files.copy(tsv, out);
        }
        final byte[] bytes = Files.readAllBytes(zst);
        final Path cut = Files.write(dir.resolve("cut.log.zst"), Arrays.copyOf(bytes, bytes.length / 2));

        final Cli r = Cli.run("slice", capture.toString(), "--conn", cut.toString(), "--all", "-w", dir.resolve("o.pcap").toString());

        assertEquals(ExitCode.BAD_INPUT.code(), r.exit(), r::toString);
        assertTrue(lastLine(r.err()).matches("scalpel: " + java.util.regex.Pattern.quote(cut.toString())
            + " line \\d+: unreadable zstd data: .+"), r::toString);
        assertFalse(Files.exists(dir.resolve("o.pcap")));
    }

    /** The TSV's rows in three rotated files (gzip'd, zstd'd, Parquet) and the live conn.log, plus other logs. */
    private Path rotated() throws IOException {
        final Path logs = Files.createDirectory(dir.resolve("logs"));
        final List<String> lines = Files.readAllLines(tsv);
        final List<String> header = lines.stream().filter(l -> l.startsWith("#") && !l.startsWith("#close")).toList();
        final List<String> rows = lines.stream().filter(l -> !l.startsWith("#")).toList();
        final int q = rows.size() / 4;
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(logs.resolve("conn.2026-11-30-10-00-00.log.gz")))) {
            out.write(text(header, rows.subList(0, q)));
        }
        try (OutputStream out = new ZstdOutputStream(Files.newOutputStream(logs.resolve("conn.2026-11-30-11-00-00.log.zst")))) {
            out.write(text(header, rows.subList(q, 2 * q)));
        }
        final Path part = Files.write(dir.resolve("part.log"), text(header, rows.subList(2 * q, 3 * q)));
        ParquetConnLogWriter.convert(part, logs.resolve("conn.2026-11-30-12-00-00.parquet"), ParquetConnLogWriter.Naming.NESTED,
            ParquetConnLogWriter.Times.TIMESTAMP_NANOS, "zstd", 5);
        Files.write(logs.resolve("conn.log"), text(header, rows.subList(3 * q, rows.size())));
        Files.writeString(logs.resolve("dns.2026-11-30-10-00-00.log"), "not a conn log");
        return logs;
    }

    private static byte[] text(final List<String> header, final List<String> rows) {
        final List<String> all = new ArrayList<>(header);
        all.addAll(rows);
        return (String.join("\n", all) + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    private static String lastLine(final String text) {
        final String[] lines = text.strip().split("\n");
        return lines[lines.length - 1];
    }
}
