package io.scalpel.index;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scalpel.capture.MappedFile;
import io.scalpel.testdata.CaptureGenerator;
import io.scalpel.testdata.GeneratorSpec;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.parquet.format.ColumnChunk;
import org.apache.parquet.format.Encoding;
import org.apache.parquet.format.FileMetaData;
import org.apache.parquet.format.RowGroup;
import org.apache.parquet.format.Util;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Part files are the same bytes whichever JVM writes them: each column chunk's encodings are listed
 * in the order of their numbers, not in the order of parquet-java's hash set, which follows the
 * enum constants' identity hash codes. Checked by building one capture in two fresh JVMs whose
 * identity hash codes differ (one of them made constant, so that its hash sets keep insertion
 * order), and on a footer whose lists were reversed.
 */
class FooterEncodingsTest {
    @TempDir
    Path dir;

    @Test
    void shouldWriteTheSameBytesInTwoJvms() throws Exception {
        final Path capture = dir.resolve("c.pcap");
        CaptureGenerator.generate(GeneratorSpec.everything(4201).withConnections(60), capture, null);
        final Path first = dir.resolve("first.scalpel");
        final Path second = dir.resolve("second.scalpel");
        build(capture, first, "-XX:+UnlockExperimentalVMOptions", "-XX:hashCode=2");
        build(capture, second, "-XX:+UnlockExperimentalVMOptions", "-XX:hashCode=5");
        final List<String> files = files(first);
        assertEquals(files, files(second));
        assertTrue(files.stream().filter(f -> f.endsWith(".parquet")).count() >= 2, files::toString);
        for (String f : files) {
            assertArrayEquals(Files.readAllBytes(first.resolve(f)), Files.readAllBytes(second.resolve(f)), f);
            if (f.endsWith(".parquet")) {
                for (List<Encoding> encodings : encodings(footer(Files.readAllBytes(first.resolve(f))))) {
                    final List<Encoding> sorted = new ArrayList<>(encodings);
                    sorted.sort((a, b) -> Integer.compare(a.getValue(), b.getValue()));
                    assertEquals(sorted, encodings, f);
                }
            }
        }
    }

    @Test
    void shouldOrderTheEncodingsOfAFooterWithoutMovingAByte() throws Exception {
        final Path capture = dir.resolve("c.pcap");
        CaptureGenerator.generate(GeneratorSpec.everything(4202).withConnections(20), capture, null);
        final Path index = dir.resolve("c.pcap.scalpel");
        new IndexBuilder(capture, index, MappedFile.DEFAULT_SEGMENT_SIZE, 64).build();
        final byte[] written = Files.readAllBytes(index.resolve(IndexSchema.FLOWS_DIR).resolve(IndexSchema.partFile(0)));
        final FileMetaData metadata = footer(written);
        int reversed = 0;
        for (RowGroup group : metadata.getRow_groups()) {
            for (ColumnChunk chunk : group.getColumns()) {
                final List<Encoding> e = new ArrayList<>(chunk.getMeta_data().getEncodings());
                if (e.size() > 1) {
                    Collections.reverse(e);
                    chunk.getMeta_data().setEncodings(e);
                    reversed++;
                }
            }
        }
        assertTrue(reversed > 0, "a column chunk with more than one encoding");
        final ByteArrayOutputStream footer = new ByteArrayOutputStream();
        Util.writeFileMetaData(metadata, footer);
        final byte[] scrambled = written.clone();
        final int length = footerLength(written);
        assertEquals(length, footer.size());
        System.arraycopy(footer.toByteArray(), 0, scrambled, written.length - 8 - length, length);
        assertTrue(!Arrays.equals(written, scrambled));

        final int from = written.length - 8 - length - 100; // a region that starts before the footer, as the page indexes do
        final byte[] ordered = FooterEncodings.ordered(Arrays.copyOfRange(scrambled, from, scrambled.length));
        assertArrayEquals(Arrays.copyOfRange(written, from, written.length), ordered);
        final byte[] notAFooter = "PAR1 not a footer".getBytes(StandardCharsets.US_ASCII);
        assertArrayEquals(notAFooter, FooterEncodings.ordered(notAFooter), "left as it is");
    }

    /** Builds the index of {@code capture} in a JVM of its own, with {@code options}. */
    private static void build(final Path capture, final Path index, final String... options) throws Exception {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(Arrays.asList(options));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), Build.class.getName(), capture.toString(), index.toString()));
        final Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        final String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the build's JVM ended");
        assertEquals(0, p.exitValue(), output);
    }

    /** The build run in another JVM: CAPTURE INDEX, with small chunks so that both parts have several row groups. */
    public static final class Build {
        public static void main(final String[] args) throws IOException {
            new IndexBuilder(Path.of(args[0]), Path.of(args[1]), MappedFile.DEFAULT_SEGMENT_SIZE, 64).build();
        }
    }

    private static int footerLength(final byte[] file) {
        return ByteBuffer.wrap(file, file.length - 8, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
    }

    private static FileMetaData footer(final byte[] file) throws IOException {
        final int length = footerLength(file);
        return Util.readFileMetaData(new ByteArrayInputStream(file, file.length - 8 - length, length));
    }

    private static List<List<Encoding>> encodings(final FileMetaData metadata) {
        final List<List<Encoding>> all = new ArrayList<>();
        for (RowGroup group : metadata.getRow_groups()) {
            for (ColumnChunk chunk : group.getColumns()) {
                all.add(chunk.getMeta_data().getEncodings());
            }
        }
        return all;
    }

    private static List<String> files(final Path index) throws IOException {
        try (Stream<Path> s = Files.walk(index)) {
            return s.filter(Files::isRegularFile).map(p -> index.relativize(p).toString()).sorted().toList();
        }
    }
}
