package io.scalpel.index;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.luben.zstd.Zstd;
import io.scalpel.capture.MappedFile;
import io.scalpel.testdata.CaptureGenerator;
import io.scalpel.testdata.GeneratorSpec;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.format.PageHeader;
import org.apache.parquet.format.Util;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each way the index proves itself, provoked one at a time on the index of a generated capture:
 * the manifest's own digest and its fields, each part's size, footer region and whole digest,
 * page headers held to the offset index even when every digest was made to match, the zstd
 * frame size, and the rebuild that {@code scalpel index} does instead of trusting a damaged
 * index. Manifests are re-signed here with the digest computed independently of
 * {@link ManifestJson} (SHA-256 of the file with the digest's 64 digits read as zeros).
 */
class IndexIntegrityTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    Path capture;
    Path index;
    Path manifest;

    @BeforeEach
    void build() throws IOException {
        capture = dir.resolve("c.pcap");
        CaptureGenerator.generate(GeneratorSpec.everything(9311).withConnections(40), capture, null);
        index = dir.resolve("c.pcap.scalpel");
        new IndexBuilder(capture, index, MappedFile.DEFAULT_SEGMENT_SIZE, 512).build();
        manifest = index.resolve(IndexSchema.MANIFEST_FILE);
    }

    /** Writes {@code json} as the manifest with a digest that matches it. */
    private void resign(final ObjectNode json) throws IOException {
        resign(manifest, json);
    }

    /** Writes {@code json} as the manifest {@code manifest} with a digest that matches it. */
    static void resign(final Path manifest, final ObjectNode json) throws IOException {
        json.remove(ManifestText.DIGEST_FIELD);
        json.put(ManifestText.DIGEST_FIELD, "0".repeat(64));
        final byte[] bytes = JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(json);
        final String text = new String(bytes, StandardCharsets.US_ASCII);
        final int at = text.lastIndexOf("0".repeat(64));
        final byte[] hex;
        try {
            hex = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)).getBytes(StandardCharsets.US_ASCII);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        System.arraycopy(hex, 0, bytes, at, 64);
        Files.write(manifest, bytes);
    }

    private ObjectNode json() throws IOException {
        return (ObjectNode) JSON.readTree(manifest.toFile());
    }

    private IndexException refused() {
        return assertThrows(IndexException.class, () -> {
            final PacketIndex i = PacketIndex.open(capture, index);
            i.scanAll((ts, offset, chunk, flow, dgramTs) -> { });
            i.scanFlows((chunk, flow, hash, first, last) -> { });
        });
    }

    @Test
    void shouldRecordTheSizeAndDigestsOfEachPartAsItsBytesAre() throws Exception {
        final IndexManifest m = IndexManifest.read(manifest);
        for (IndexManifest.Part p : m.parts()) {
            for (String table : List.of(IndexSchema.PACKETS_DIR, IndexSchema.FLOWS_DIR)) {
                final Path file = index.resolve(table).resolve(p.file());
                final IndexManifest.PartFile recorded = table.equals(IndexSchema.PACKETS_DIR) ? p.packetsFile() : p.flowsFile();
                final byte[] bytes = Files.readAllBytes(file);
                long chunksEnd = 4; // after the magic number
                try (org.apache.parquet.hadoop.ParquetFileReader r = org.apache.parquet.hadoop.ParquetFileReader.open(
                    new IndexInputFile(file), IndexPart.readOptions(org.apache.parquet.filter2.compat.FilterCompat.NOOP))) {
                    for (org.apache.parquet.hadoop.metadata.BlockMetaData b : r.getFooter().getBlocks()) {
                        for (org.apache.parquet.hadoop.metadata.ColumnChunkMetaData c : b.getColumns()) {
                            chunksEnd = Math.max(chunksEnd, c.getStartingPos() + c.getTotalSize());
                        }
                    }
                }
                final MessageDigest sha = MessageDigest.getInstance("SHA-256");
                assertEquals(bytes.length, recorded.size(), file::toString);
                assertEquals(chunksEnd, recorded.footerOffset(), file + ": the footer region starts where the last column chunk ends");
                assertEquals(HexFormat.of().formatHex(sha.digest(bytes)), recorded.sha256(), file::toString);
                sha.update(bytes, (int) chunksEnd, bytes.length - (int) chunksEnd);
                assertEquals(HexFormat.of().formatHex(sha.digest()), recorded.footerSha256(), file::toString);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {4, 5, 6})
    void shouldRefuseAnOlderVersionIndexWhoseDigestsAllMatch(final int version) throws IOException {
        final ObjectNode j = json();
        j.put("version", version);
        resign(j);
        final IndexException e = refused();
        assertEquals(IndexException.Kind.VERSION, e.kind());
        assertTrue(e.problem().contains("index format version " + version + " is not the version this scalpel reads (" + IndexManifest.VERSION + ")"), e::problem);
        assertTrue(e.advice().contains("rebuild it with `scalpel index"), e::advice);
        assertEquals(IndexBuilder.Mode.REBUILT, new IndexBuilder(capture, index, MappedFile.DEFAULT_SEGMENT_SIZE, 512).build().mode());
        PacketIndex.open(capture, index).scanAll((ts, offset, chunk, flow, dgramTs) -> { });
    }

    @Test
    void shouldRefuseAPartWhoseTimestampsAreNotInTheUnitOfItsIndex() throws IOException {
        final ObjectNode j = json();
        assertEquals(false, j.get("nanosecond").asBoolean(), "a microsecond pcap");
        j.put("nanosecond", true); // the index would then hold nanoseconds; its parts hold microseconds
        resign(j);
        final IndexException e = refused();
        assertEquals(IndexException.Kind.CORRUPT, e.kind());
        assertEquals(index.resolve("packets/part-00000.parquet") + ": column ts holds microseconds, the index's timestamps are nanoseconds",
            e.problem());
    }

    @Test
    void shouldAcceptTheManifestResignedUnchanged() throws IOException {
        resign(json());
        final PacketIndex i = PacketIndex.open(capture, index);
        i.verifyAll();
        assertTrue(PacketIndex.verify(capture, index).stream().allMatch(IndexFileCheck::intact));
    }

    @Test
    void shouldRefuseAManifestThatIsNotJsonOrHasNoDigestOrIsForeign() throws IOException {
        Files.writeString(manifest, "{ not json");
        final IndexException notJson = refused();
        assertTrue(notJson.problem().startsWith(manifest + ": unreadable index manifest ("), notJson::getMessage);
        final ObjectNode j = fresh();
        Files.writeString(manifest, "[1, 2]");
        assertEquals(manifest + ": not a scalpel index manifest", refused().problem());
        j.remove(ManifestText.DIGEST_FIELD);
        Files.write(manifest, JSON.writeValueAsBytes(j));
        assertEquals(manifest + ": index manifest has no digest (manifest_sha256)", refused().problem());
        assertEquals(IndexException.Kind.CORRUPT, refused().kind());
    }

    @Test
    void shouldRefuseAManifestLargerThanAnyScalpelWrites() throws IOException {
        try (RandomAccessFile r = new RandomAccessFile(manifest.toFile(), "rw")) {
            r.setLength(ManifestText.MAX_BYTES + 1); // sparse: nothing is written
        }
        final IndexException e = refused();
        assertTrue(e.problem().contains("index manifest of " + (ManifestText.MAX_BYTES + 1) + " bytes is larger than any scalpel writes"),
            e::getMessage);
    }

    @Test
    void shouldRefuseAManifestWithoutItsFieldsOrWithAPartThatIsAPath() throws IOException {
        final ObjectNode j = json();
        j.remove("fingerprint");
        resign(j);
        assertEquals(manifest + ": index manifest lacks fingerprint", refused().problem());
        final ObjectNode p = fresh();
        ((ObjectNode) p.get("parts").get(0)).put("file", "../../escape.parquet");
        resign(p);
        assertEquals(manifest + ": index manifest lacks a valid part (file name, packets_file and flows_file)", refused().problem());
        final ObjectNode q = fresh();
        ((ObjectNode) q.get("parts").get(0)).remove("flows_file");
        resign(q);
        assertEquals(manifest + ": index manifest lacks a valid part (file name, packets_file and flows_file)", refused().problem());
    }

    /** A part's file name is one {@link IndexSchema#partFile} makes: never a path, nor another file of the directory. */
    @Test
    void shouldTakeOnlyPartFileNamesAsTheIndexWritesThem() {
        for (int n : new int[] {0, 7, 99_999, 100_000, Integer.MAX_VALUE}) {
            assertTrue(IndexSchema.isPartFile(IndexSchema.partFile(n)), IndexSchema.partFile(n));
        }
        for (String name : new String[] {"part-0000.parquet", "part-00000000000.parquet", "part-0000a.parquet", "part--0001.parquet",
            "../part-00000.parquet", "packets/part-00000.parquet", "part-00000.parquet.tmp", "Part-00000.parquet", "part-00000.PARQUET",
            "part-00000parquet", "", "part-.parquet", "manifest.json"}) {
            org.junit.jupiter.api.Assertions.assertFalse(IndexSchema.isPartFile(name), name);
        }
    }

    /** The intact manifest (built again). */
    private ObjectNode fresh() throws IOException {
        new IndexBuilder(capture, index, MappedFile.DEFAULT_SEGMENT_SIZE, 512).rebuild(true).build();
        return json();
    }

    @Test
    void shouldRefuseAPartThatIsMissingADirectoryOrOfAnotherSize() throws IOException {
        final Path part = index.resolve("packets/part-00000.parquet");
        final byte[] bytes = Files.readAllBytes(part);
        Files.delete(part);
        assertEquals(part + " is missing", refused().problem());
        Files.createDirectory(part);
        assertEquals(part + " is not a regular file", refused().problem());
        Files.delete(part);
        Files.write(part, java.util.Arrays.copyOf(bytes, bytes.length + 1));
        assertEquals(part + " has " + (bytes.length + 1) + " bytes, the index manifest says " + bytes.length
            + ": the part was replaced or damaged", refused().problem());
        final List<IndexFileCheck> checks = PacketIndex.verify(capture, index);
        assertEquals(List.of(true, true, false, true, true), checks.stream().map(IndexFileCheck::intact).toList(),
            "only the part is damaged; the index still describes the capture: " + checks);
    }

    @Test
    void shouldRefuseAFooterOffsetOutsideThePart() throws IOException {
        final ObjectNode j = json();
        final ObjectNode file = (ObjectNode) j.get("parts").get(0).get("packets_file");
        final long size = file.get("size").asLong();
        file.put("footer_offset", size + 1);
        resign(j);
        assertEquals(index.resolve("packets/part-00000.parquet") + ": the index manifest gives its footer region at byte "
            + (size + 1) + " of " + size, refused().problem());
    }

    @Test
    void shouldFindAChangeOutsideEveryPageOnlyByTheWholeDigest() throws IOException {
        final Path part = index.resolve("flows/part-00000.parquet");
        try (RandomAccessFile r = new RandomAccessFile(part.toFile(), "rw")) {
            r.seek(1); // in the magic number at the start, which no reader reads
            r.write('X');
        }
        PacketIndex.open(capture, index).scanFlows((chunk, flow, hash, first, last) -> { }); // a lookup does not see it
        final IndexException e = assertThrows(IndexException.class, () -> PacketIndex.open(capture, index).verifyAll());
        assertEquals(part + ": the file does not match its digest in the index manifest, though its footer and every page's CRC"
            + " do (a byte outside the page bodies changed: a page header or the file's magic number)", e.problem());
    }

    @Test
    void shouldRefuseAPageHeaderThatDisagreesWithTheOffsetIndexEvenWithEveryDigestRemade() throws IOException {
        final Path part = index.resolve("packets/part-00000.parquet");
        final byte[] bytes = Files.readAllBytes(part);
        // the first page of the file: the first column's (ts) first data page, right after the magic number
        final java.io.ByteArrayInputStream in = new java.io.ByteArrayInputStream(bytes, 4, bytes.length - 4);
        final PageHeader h = Util.readPageHeader(in);
        final int headerLength = bytes.length - 4 - in.available();
        final int rows = h.getData_page_header_v2().getNum_rows();
        h.getData_page_header_v2().setNum_rows(rows - 1);
        h.getData_page_header_v2().setNum_values(rows - 1);
        final java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        Util.writePageHeader(h, out);
        assertEquals(headerLength, out.size(), "a header of the same length");
        System.arraycopy(out.toByteArray(), 0, bytes, 4, headerLength);
        Files.write(part, bytes);
        final ObjectNode j = json();
        final long footerOffset = j.get("parts").get(0).get("packets_file").get("footer_offset").asLong();
        final String[] remade = Digests.sha256(part, bytes.length, footerOffset);
        ((ObjectNode) j.get("parts").get(0)).set("packets_file", JSON.valueToTree(java.util.Map.of("size", bytes.length,
            "footer_offset", footerOffset, "footer_sha256", remade[1], "sha256", remade[0])));
        resign(j);
        final IndexException e = refused();
        assertTrue(e.problem().startsWith(part + ": ") && e.problem().contains("page of column ts in row group 0")
            && e.problem().contains("does not agree with the offset index (" + rows + " rows at byte 4)"), e::getMessage);
        final List<IndexFileCheck> checks = PacketIndex.verify(capture, index);
        assertTrue(checks.stream().allMatch(IndexFileCheck::intact), "every digest matches the damaged file: " + checks);
    }

    @Test
    void shouldRefuseAZstdPageWhoseHeaderGivesAnotherSizeBeforeAllocatingIt() {
        final byte[] frame = Zstd.compress(new byte[1000], 3);
        final IOException e = assertThrows(IOException.class, () -> ZstdCodecFactory.INSTANCE
            .getDecompressor(CompressionCodecName.ZSTD).decompress(BytesInput.from(frame), Integer.MAX_VALUE));
        assertEquals("corrupt index page: its header gives 2147483647 bytes uncompressed, its zstd frame 1000 bytes", e.getMessage());
    }

    @Test
    void shouldRefuseAZstdPageWhoseBodyIsCutAndDecompressTheNextPagesWhole() throws IOException {
        final byte[] page = new byte[5000];
        for (int i = 0; i < page.length; i++) {
            page[i] = (byte) (i % 251);
        }
        final byte[] frame = Zstd.compress(page, 3);
        final byte[] damaged = java.util.Arrays.copyOf(frame, frame.length - 3); // its header (and content size) whole, its body cut
        final org.apache.parquet.compression.CompressionCodecFactory.BytesInputDecompressor d =
            ZstdCodecFactory.INSTANCE.getDecompressor(CompressionCodecName.ZSTD);

        final IOException e = assertThrows(IOException.class, () -> d.decompress(BytesInput.from(damaged), page.length));

        assertTrue(e.getMessage().startsWith("corrupt index page: zstd "), e.getMessage());
        for (int i = 0; i < 3; i++) {
            assertArrayEquals(page, d.decompress(BytesInput.from(frame), page.length).toByteArray(), "page " + i);
        }
        final java.nio.ByteBuffer inHeap = java.nio.ByteBuffer.allocate(frame.length + 20).position(7);
        inHeap.put(frame).flip().position(7); // a page in the middle of a larger buffer, as the index's reader gives it
        assertArrayEquals(page, d.decompress(BytesInput.from(inHeap), page.length).toByteArray());
        final java.nio.ByteBuffer direct = java.nio.ByteBuffer.allocateDirect(frame.length).put(frame).flip();
        assertArrayEquals(page, d.decompress(BytesInput.from(direct), page.length).toByteArray());
    }

    @Test
    void shouldRebuildADamagedIndexInsteadOfCallingItUpToDate() throws IOException {
        final Path part = index.resolve("flows/part-00000.parquet");
        assertTrue(Files.isRegularFile(part));
        try (RandomAccessFile r = new RandomAccessFile(part.toFile(), "rw")) {
            r.seek(r.length() / 3);
            final int b = r.read();
            r.seek(r.length() / 3);
            r.write(b ^ 0x40);
        }
        final IndexBuilder.Result r = new IndexBuilder(capture, index, MappedFile.DEFAULT_SEGMENT_SIZE, 512).build();
        assertEquals(IndexBuilder.Mode.REBUILT, r.mode());
        assertTrue(r.replaced().startsWith(part + ": byte offset "), r::replaced);
        assertEquals(IndexBuilder.Mode.UNCHANGED, new IndexBuilder(capture, index, MappedFile.DEFAULT_SEGMENT_SIZE, 512).build().mode());
    }

    @Test
    void shouldRebuildWhenTheOpenPartIsNotOneOfTheParts() throws IOException {
        final byte[] whole = Files.readAllBytes(capture);
        Files.write(capture, java.util.Arrays.copyOf(whole, whole.length * 2 / 3));
        new IndexBuilder(capture, index, MappedFile.DEFAULT_SEGMENT_SIZE, 512).rebuild(true).build();
        final ObjectNode j = json();
        ((ObjectNode) j.get("resume")).put("open_part", "part-00099.parquet");
        resign(j);
        Files.write(capture, whole);
        final IndexBuilder.Result r = new IndexBuilder(capture, index, MappedFile.DEFAULT_SEGMENT_SIZE, 512).build();
        assertEquals(IndexBuilder.Mode.REBUILT, r.mode());
        assertEquals(index + ": the index manifest's open part part-00099.parquet is not one of its parts", r.replaced());
    }

    @Test
    void shouldRefuseACaptureSetManifestWithoutMembers() throws IOException {
        final Path set = Files.createDirectories(dir.resolve("set"));
        Files.copy(capture, set.resolve("a.pcap"));
        new CaptureSetBuilder(set, null).build();
        final Path setJson = set.resolve(".scalpel/set.json");
        final ObjectNode j = (ObjectNode) JSON.readTree(setJson.toFile());
        j.remove("members");
        manifest = setJson;
        resign(j);
        final IndexException e = assertThrows(IndexException.class, () -> CaptureSetManifest.read(setJson,
            CaptureSetManifest.rebuildAdvice(set, null)));
        assertEquals(setJson + ": capture set manifest lacks members; rebuild it with `scalpel index " + set
            + "` (or slice with --reindex)", e.getMessage());
        assertEquals(IndexException.Kind.CORRUPT, e.kind());
    }
}
