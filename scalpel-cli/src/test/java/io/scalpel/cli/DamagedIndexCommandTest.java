package io.scalpel.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.scalpel.index.IndexManifest;
import io.scalpel.testdata.CaptureGenerator;
import io.scalpel.testdata.Generated;
import io.scalpel.testdata.GeneratorSpec;
import io.scalpel.testdata.RotatedCaptures;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The damaged-index rows of the error table in docs/cli.md, one damage each, on the contract
 * sample: the exit code, the message (the damaged file, the byte offset where known, the advice),
 * and that following the advice rebuilds the index and slices what the intact index sliced.
 */
class DamagedIndexCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    Path capture;
    Path conn;
    Path index;
    byte[] intact;

    @BeforeEach
    void indexTheSample() throws IOException {
        final Path[] sample = Cli.sample(dir);
        capture = sample[0];
        conn = sample[1];
        index = dir.resolve("sample.pcap.scalpel");
        assertEquals(0, Cli.run("index", "-q", capture.toString()).exit());
        intact = slice(ExitCode.OK, capture).binary();
    }

    private Cli slice(final ExitCode expected, final Path what, final String... more) {
        // --all: every page is read (a lookup of one uid reads, and checks, only the pages it needs)
        final String[] args = Stream.concat(Stream.of("slice", what.toString(), "--conn", conn.toString(), "--all", "-w", "-"),
            Stream.of(more)).toArray(String[]::new);
        final Cli r = Cli.run(args);
        assertEquals(expected.code(), r.exit(), r::toString);
        return r;
    }

    private JsonNode manifest() throws IOException {
        return JSON.readTree(index.resolve("manifest.json").toFile());
    }

    private static void setByte(final Path file, final long at, final int value) throws IOException {
        try (RandomAccessFile r = new RandomAccessFile(file.toFile(), "rw")) {
            r.seek(at);
            r.write(value);
        }
    }

    /** The refusal as the error table words it: one line, exit 3, ending with the advice. */
    private void assertRefused(final Cli r, final String expected) {
        assertEquals(ExitCode.BAD_INPUT.code(), r.exit(), r::toString);
        assertTrue(r.err().contains(expected), () -> "expected «" + expected + "» in:\n" + r.err());
        assertTrue(r.err().strip().endsWith("rebuild it with `scalpel index " + capture + "` (or slice with --reindex)")
            || r.err().strip().endsWith("re-run `scalpel index " + capture + "` (or slice with --reindex)"), r::toString);
    }

    /** `scalpel index` rebuilds the damaged index (saying why), and the slice is the intact one again. */
    private void assertRebuiltByIndex(final String why) {
        final Cli rebuilt = Cli.run("index", "--json", capture.toString());
        assertEquals(0, rebuilt.exit(), rebuilt::toString);
        assertTrue(rebuilt.out().contains("\"mode\":\"rebuilt\""), rebuilt::toString);
        assertTrue(rebuilt.err().contains("scalpel: warning: " + capture + ": rebuilt its index: ") && rebuilt.err().contains(why),
            rebuilt::toString);
        assertArrayEquals(intact, slice(ExitCode.OK, capture).binary());
        assertEquals(0, Cli.run("index", "--verify", capture.toString()).exit());
    }

    @Test
    void shouldRefuseAPageWhoseCrcDiffersAndRebuildIt() throws IOException {
        final Path part = index.resolve("packets/part-00000.parquet");
        setByte(part, 9000, 0x55);
        assertRefused(slice(ExitCode.BAD_INPUT, capture), part + ": byte offset 8559: page of column offset in row group 0: page CRC mismatch");
        final Cli verify = Cli.run("index", "--verify", capture.toString());
        assertRefused(verify, "1 of 5 files damaged, first packets/part-00000.parquet: byte offset 8559");
        assertTrue(verify.out().contains("  DAMAGED  packets/part-00000.parquet: byte offset 8559: page of column offset in row group 0"),
            verify::toString);
        assertRebuiltByIndex("page CRC mismatch");
    }

    @Test
    void shouldRefuseADamagedLookupFileWhenAUidIsLookedUpAndRebuildIt() throws IOException {
        final Path lookup = index.resolve("lookup.bin");
        setByte(lookup, 12, Files.readAllBytes(lookup)[12] ^ 0x01);
        final Cli r = Cli.run("slice", capture.toString(), "--conn", conn.toString(), "--uid", "CSDs1NlGqALwGLu4hj", "-w", "-");
        assertRefused(r, lookup + ": byte offset 12: CRC32C mismatch: the body's is ");
        final Cli verify = Cli.run("index", "--verify", capture.toString());
        assertRefused(verify, "1 of 5 files damaged, first lookup.bin: byte offset 12: CRC32C mismatch");
        assertRebuiltByIndex("CRC32C mismatch");
    }

    @Test
    void shouldRefuseADamagedFooterRegion() throws IOException {
        final Path part = index.resolve("flows/part-00000.parquet");
        final long footer = manifest().path("parts").get(0).path("flows_file").path("footer_offset").asLong();
        setByte(part, footer + 100, 0x00);
        assertRefused(slice(ExitCode.BAD_INPUT, capture), part + ": byte offset " + footer
            + ": the footer region (page indexes, bloom filters and footer, ");
        assertRebuiltByIndex("footer region");
    }

    @Test
    void shouldRefuseAPartCutShortAndLetSliceReindexRebuildIt() throws IOException {
        final Path part = index.resolve("packets/part-00000.parquet");
        final long size = Files.size(part);
        try (RandomAccessFile r = new RandomAccessFile(part.toFile(), "rw")) {
            r.setLength(9000);
        }
        assertRefused(slice(ExitCode.BAD_INPUT, capture), part + " has 9000 bytes, the index manifest says " + size
            + ": the part was replaced or damaged");
        assertArrayEquals(intact, slice(ExitCode.OK, capture, "--reindex").binary());
        assertEquals(0, Cli.run("index", "--verify", capture.toString()).exit());
    }

    @Test
    void shouldRefuseAChangedManifest() throws IOException {
        final Path manifest = index.resolve("manifest.json");
        Files.writeString(manifest, Files.readString(manifest).replace("\"packets\" : 3430", "\"packets\" : 3431"));
        assertRefused(slice(ExitCode.BAD_INPUT, capture), manifest + ": index manifest does not match its digest (manifest_sha256):"
            + " it was changed or damaged after it was written");
        assertRebuiltByIndex("does not match its digest");
    }

    @Test
    void shouldRefuseTheIndexOfAnotherCapture() throws IOException {
        final Path other = dir.resolve("other.pcap");
        CaptureGenerator.generate(GeneratorSpec.defaults(7421), other, null);
        assertEquals(0, Cli.run("index", "-q", other.toString()).exit());
        deleteTree(index);
        copyTree(dir.resolve("other.pcap.scalpel"), index);
        assertRefused(slice(ExitCode.BAD_INPUT, capture), "index " + index + " is stale: " + capture
            + " is not the capture it was made for (other.pcap, " + Files.size(other) + " bytes; sample.pcap has " + Files.size(capture) + ")");
        assertRebuiltByIndex("is not the capture it was made for");
    }

    @Test
    void shouldRefuseAnIndexOfAnOlderFormatVersionWithAdviceThatWorks() throws IOException {
        final Path manifest = index.resolve("manifest.json");
        final String json = Files.readString(manifest);
        // a version-3 manifest: no digests at all
        Files.writeString(manifest, json.replace("\"version\" : " + IndexManifest.VERSION, "\"version\" : 3")
            .replaceAll(",\\s*\"manifest_sha256\" : \"[0-9a-f]{64}\"", ""));
        assertRefused(slice(ExitCode.BAD_INPUT, capture), manifest + ": index format version 3 is not the version this scalpel reads (" + IndexManifest.VERSION + ")");
        assertRebuiltByIndex("index format version 3");
    }

    @Test
    void shouldNameTheIndexDirectoryInTheAdviceWhenItIsNotBesideTheCapture() throws IOException {
        final Path elsewhere = dir.resolve("elsewhere.idx");
        assertEquals(0, Cli.run("index", "-q", "--index", elsewhere.toString(), capture.toString()).exit());
        setByte(elsewhere.resolve("packets/part-00000.parquet"), 9000, 0x55);
        final Cli r = slice(ExitCode.BAD_INPUT, capture, "--index", elsewhere.toString());
        assertTrue(r.err().strip().endsWith("rebuild it with `scalpel index --index " + elsewhere + " " + capture
            + "` (or slice with --reindex)"), r::toString);
        assertEquals(0, Cli.run("index", "-q", "--index", elsewhere.toString(), capture.toString()).exit());
        assertEquals(0, Cli.run("index", "--verify", "--index", elsewhere.toString(), capture.toString()).exit());
    }

    @Test
    void shouldRefuseVerifyWithRebuild() {
        final Cli r = Cli.run("index", "--verify", "--rebuild", capture.toString());
        assertEquals(ExitCode.USAGE.code(), r.exit(), r::toString);
        assertTrue(r.err().contains("--verify only reads: give it without --rebuild and --recompress"), r::toString);
    }

    @Test
    void shouldRefuseADamagedCaptureSetIndexAndRebuildIt() throws IOException {
        final Path src = dir.resolve("src.pcap");
        final Generated truth = CaptureGenerator.generate(GeneratorSpec.defaults(7422).withConnections(30), src, dir.resolve("set-conn.log"));
        final Path set = Files.createDirectories(dir.resolve("rotated"));
        RotatedCaptures.cutEvenly(src, truth, set, "trace.%02d.%s", false, false, false);
        assertEquals(0, Cli.run("index", "-q", set.toString()).exit());
        final String[] all = {"slice", set.toString(), "--conn", dir.resolve("set-conn.log").toString(), "--all", "-w", "-"};
        final Cli before = Cli.run(all);
        assertEquals(0, before.exit(), before::toString);
        final String advice = "rebuild it with `scalpel index " + set + "` (or slice with --reindex)";

        final Path setJson = set.resolve(".scalpel/set.json");
        Files.writeString(setJson, Files.readString(setJson).replace("\"members\"", "\"members\" "));
        final Cli damagedSet = Cli.run(all);
        assertEquals(ExitCode.BAD_INPUT.code(), damagedSet.exit(), damagedSet::toString);
        assertTrue(damagedSet.err().contains(setJson + ": capture set manifest does not match its digest (manifest_sha256)")
            && damagedSet.err().strip().endsWith(advice), damagedSet::toString);
        assertEquals(ExitCode.BAD_INPUT.code(), Cli.run("index", "--verify", set.toString()).exit());
        assertEquals(0, Cli.run("index", "-q", set.toString()).exit());

        final Path member;
        try (Stream<Path> s = Files.list(set.resolve(".scalpel/members"))) {
            member = s.sorted().findFirst().orElseThrow();
        }
        setByte(member.resolve("packets/part-00000.parquet"), 200, 0x55);
        final Cli damagedMember = Cli.run(all);
        assertEquals(ExitCode.BAD_INPUT.code(), damagedMember.exit(), damagedMember::toString);
        assertTrue(damagedMember.err().contains(member.resolve("packets/part-00000.parquet") + ": byte offset ")
            && damagedMember.err().strip().endsWith(advice), damagedMember::toString);
        final Cli verify = Cli.run("index", "--verify", set.toString());
        assertEquals(ExitCode.BAD_INPUT.code(), verify.exit(), verify::toString);
        assertTrue(verify.out().contains("  DAMAGED  members/" + member.getFileName() + "/packets/part-00000.parquet: byte offset "),
            verify::toString);
        final Cli rebuilt = Cli.run("index", "--json", set.toString());
        assertEquals(0, rebuilt.exit(), rebuilt::toString);
        assertTrue(rebuilt.err().contains("rebuilt its index: "), rebuilt::toString);
        final Cli after = Cli.run(all);
        assertEquals(0, after.exit(), after::toString);
        assertArrayEquals(before.binary(), after.binary());
        assertEquals(0, Cli.run("index", "--verify", set.toString()).exit());
    }

    private static void copyTree(final Path from, final Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.sorted().toList()) {
                Files.copy(p, to.resolve(from.relativize(p).toString()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    private static void deleteTree(final Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
