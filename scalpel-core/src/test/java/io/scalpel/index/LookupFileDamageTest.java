package io.scalpel.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.scalpel.capture.MappedFile;
import io.scalpel.testdata.CaptureGenerator;
import io.scalpel.testdata.GeneratorSpec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each way a lookup refuses a lookup file it cannot trust, provoked one at a time on the index of a
 * generated capture: its size, magic number, version, body length, CRC32C (in its header, over its
 * body, and in the manifest), a page it says lies past its part's end, and a page whose CRC does not
 * match what the lookup file says; each refusal CORRUPT, naming the file and the byte offset, with
 * the advice to rebuild, and {@code scalpel index} rebuilds the index. The CRC32C and the digests
 * are computed here with the JDK's own classes, the layout walked as docs/index-format.md gives it.
 */
class LookupFileDamageTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    Path capture;
    Path index;
    Path lookup;
    long someFlowHash;
    /** Every flow row's hash, as a lookup takes it. */
    final java.util.List<Long> flowHashes = new java.util.ArrayList<>();

    @BeforeEach
    void build() throws IOException {
        capture = dir.resolve("c.pcap");
        CaptureGenerator.generate(GeneratorSpec.everything(9312).withConnections(60), capture, null);
        index = dir.resolve("c.pcap.scalpel");
        new IndexBuilder(capture, index, MappedFile.DEFAULT_SEGMENT_SIZE, 512).build();
        lookup = index.resolve(IndexSchema.LOOKUP_FILE);
        try (PacketIndex i = PacketIndex.open(capture, index)) {
            final long[] hash = new long[1];
            i.scanFlows((chunk, flow, h, first, last) -> {
                hash[0] = h;
                flowHashes.add(h << 32);
            });
            someFlowHash = hash[0] << 32;
        }
    }

    /** The refusal of the lookups of every flow the index holds (each reads the row groups of its own chunks). */
    private IndexException refused() {
        final IndexException e = assertThrows(IndexException.class, () -> {
            try (PacketIndex i = PacketIndex.open(capture, index)) {
                for (long h : flowHashes) {
                    i.lookup(h, Long.MIN_VALUE, Long.MAX_VALUE, (ts, offset, chunk, flow, dgramTs) -> { });
                }
            }
        });
        assertEquals(IndexException.Kind.CORRUPT, e.kind(), e::getMessage);
        assertTrue(e.advice().contains("rebuild it with `scalpel index"), e::advice);
        return e;
    }

    @Test
    void shouldRefuseALookupFileReadAheadAtTheFirstLookupAsWithoutTheReadAhead() throws IOException {
        final byte[] bytes = Files.readAllBytes(lookup);
        bytes[bytes.length - 1] ^= 0x5A; // the body's CRC32C no longer matches
        Files.write(lookup, bytes);
        final IndexException without = refused();
        final IndexException e = assertThrows(IndexException.class, () -> {
            try (PacketIndex i = PacketIndex.open(capture, index)) {
                i.readLookupFile(); // says nothing: the first lookup does
                i.lookup(someFlowHash, Long.MIN_VALUE, Long.MAX_VALUE, (ts, offset, chunk, flow, dgramTs) -> { });
            }
        });
        assertEquals(without.getMessage(), e.getMessage());
        assertTrue(e.problem().contains("CRC32C"), e::problem);
    }

    private void assertRefused(final String expected) throws IOException {
        final IndexException e = refused();
        assertTrue(e.problem().contains(expected), () -> "expected «" + expected + "» in " + e.problem());
        final IndexException verify = assertThrows(IndexException.class, () -> {
            try (PacketIndex i = PacketIndex.open(capture, index)) {
                i.verifyAll();
            }
        });
        assertTrue(verify.problem().contains(expected), verify::problem);
        assertEquals(IndexBuilder.Mode.REBUILT, new IndexBuilder(capture, index, MappedFile.DEFAULT_SEGMENT_SIZE, 512).build().mode());
        try (PacketIndex i = PacketIndex.open(capture, index)) {
            final long[] rows = {0};
            i.lookup(someFlowHash, Long.MIN_VALUE, Long.MAX_VALUE, (ts, offset, chunk, flow, dgramTs) -> rows[0]++);
            assertTrue(rows[0] > 0, "the rebuilt index finds the flow");
        }
    }

    private static void setByte(final Path file, final long at, final int value) throws IOException {
        try (RandomAccessFile r = new RandomAccessFile(file.toFile(), "rw")) {
            r.seek(at);
            r.write(value);
        }
    }

    private int readByte(final long at) throws IOException {
        return Files.readAllBytes(lookup)[(int) at] & 0xFF;
    }

    @Test
    void shouldRefuseALookupFileOfAnotherSize() throws IOException {
        final long size = Files.size(lookup);
        try (RandomAccessFile r = new RandomAccessFile(lookup.toFile(), "rw")) {
            r.setLength(size - 3);
        }
        assertRefused(lookup + " has " + (size - 3) + " bytes, the index manifest says " + size + ": the file was replaced or damaged");
    }

    @Test
    void shouldRefuseAMissingLookupFile() throws IOException {
        Files.delete(lookup);
        assertRefused(lookup + " is missing");
    }

    @Test
    void shouldRefuseAnotherMagicNumber() throws IOException {
        setByte(lookup, 0, 'X');
        assertRefused(lookup + ": byte offset 0: not a scalpel lookup file (magic number 0x4b4c4358)");
    }

    @Test
    void shouldRefuseAnotherVersion() throws IOException {
        setByte(lookup, 4, 2);
        assertRefused(lookup + ": byte offset 4: lookup file version 2, this scalpel reads version 1");
    }

    @Test
    void shouldRefuseAnotherBodyLength() throws IOException {
        setByte(lookup, 8, readByte(8) ^ 0x01);
        assertRefused(lookup + ": byte offset 8: the header gives a body of ");
    }

    @Test
    void shouldRefuseAHeaderCrcThatIsNotTheBodys() throws IOException {
        setByte(lookup, 12, readByte(12) ^ 0x01);
        assertRefused(lookup + ": byte offset 12: CRC32C mismatch");
    }

    @Test
    void shouldRefuseADamagedBody() throws IOException {
        final long size = Files.size(lookup);
        setByte(lookup, size / 2, readByte(size / 2) ^ 0x10);
        assertRefused(lookup + ": byte offset 12: CRC32C mismatch");
    }

    @Test
    void shouldRefuseAWholeLookupFileThatIsNotTheOneTheManifestNames() throws IOException {
        final ObjectNode m = (ObjectNode) JSON.readTree(index.resolve(IndexSchema.MANIFEST_FILE).toFile());
        ((ObjectNode) m.get("lookup")).put("crc32c", "00000000");
        IndexIntegrityTest.resign(index.resolve(IndexSchema.MANIFEST_FILE), m);
        assertRefused(lookup + ": byte offset 12: CRC32C ");
    }

    @Test
    void shouldRefuseAPageThatItPutsPastTheEndOfItsPart() throws IOException {
        final byte[] bytes = Files.readAllBytes(lookup);
        // header (16), parts, then the first part's packets table: size, unit, row groups, each row
        // group's summary (rows, chunk min and range, time min and range, the length of its
        // columns), then their columns; the first row group's column ts: codec, no dictionary, pages,
        // then the first page's offset (the gap from byte 0)
        final int[] pos = {LookupFile.HEADER_BYTES};
        varint(bytes, pos); // parts
        final long partSize = varint(bytes, pos);
        pos[0]++; // unit
        final long groups = varint(bytes, pos);
        int lengthAt = -1;
        int lengthBytes = 0;
        long length = 0;
        for (long g = 0; g < groups; g++) {
            for (int i = 0; i < 5; i++) {
                varint(bytes, pos);
            }
            final int at = pos[0];
            final long l = varint(bytes, pos);
            if (g == 0) {
                lengthAt = at;
                lengthBytes = pos[0] - at;
                length = l;
            }
        }
        pos[0] += 2; // codec, dictionary flag
        varint(bytes, pos); // pages
        final int at = pos[0];
        varint(bytes, pos);
        final int oldBytes = pos[0] - at;
        final byte[] offset = varint(partSize, 0); // the first page at the part's last byte
        final ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(bytes, LookupFile.HEADER_BYTES, lengthAt - LookupFile.HEADER_BYTES);
        body.write(varint(length + offset.length - oldBytes, 5)); // five bytes, whatever its value
        body.write(bytes, lengthAt + lengthBytes, at - lengthAt - lengthBytes);
        body.write(offset);
        body.write(bytes, pos[0], bytes.length - pos[0]);
        final byte[] b = body.toByteArray();
        final CRC32C crc = new CRC32C();
        crc.update(b);
        final ByteBuffer out = ByteBuffer.allocate(LookupFile.HEADER_BYTES + b.length).order(ByteOrder.LITTLE_ENDIAN);
        out.put(bytes, 0, 8).putInt(b.length).putInt((int) crc.getValue()).put(b);
        Files.write(lookup, out.array());
        final ObjectNode m = (ObjectNode) JSON.readTree(index.resolve(IndexSchema.MANIFEST_FILE).toFile());
        final ObjectNode l = (ObjectNode) m.get("lookup");
        l.put("size", out.array().length);
        l.put("crc32c", HexFormat.of().toHexDigits((int) crc.getValue()));
        try {
            l.put("sha256", HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(out.array())));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        IndexIntegrityTest.resign(index.resolve(IndexSchema.MANIFEST_FILE), m);
        assertRefused(lookup + ": byte offset " + (at + 5 - lengthBytes) + ": a page of column ts in row group 0 at byte " + partSize);
    }

    /** {@code v} as a varint of at least {@code bytes} bytes (continuation bytes of 0 make it longer). */
    private static byte[] varint(final long v, final int bytes) {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        long x = v;
        int n = 0;
        while (x >= 0x80 || n + 1 < bytes) {
            out.write((int) (x & 0x7F) | 0x80);
            x >>>= 7;
            n++;
        }
        out.write((int) x);
        return out.toByteArray();
    }

    @Test
    void shouldRefuseAPageOfAPartWhoseCrcIsNotTheOneTheLookupFileGives() throws IOException {
        final LookupFile file;
        try (PacketIndex i = PacketIndex.open(capture, index)) {
            file = LookupFile.read(index, i.manifest(), "advice");
        }
        final LookupFile.Column hashes = file.part(0).flows().groups()[0].columns()[LookupFile.F_HASH];
        final long page = hashes.offset()[0];
        final Path part = file.part(0).flows().file();
        try (RandomAccessFile r = new RandomAccessFile(part.toFile(), "rw")) {
            r.seek(page + 1);
            final int b = r.read();
            r.seek(page + 1);
            r.write(b ^ 0x20);
        }
        final IndexException e = assertThrows(IndexException.class, () -> {
            try (PacketIndex i = PacketIndex.open(capture, index)) {
                for (long h : flowHashes) { // those of the first row group read the page
                    i.lookup(h, Long.MIN_VALUE, Long.MAX_VALUE, (ts, o, c, f, d) -> { });
                }
            }
        });
        assertEquals(IndexException.Kind.CORRUPT, e.kind());
        assertEquals(part + ": byte offset " + page + ": page 0 of column flow_hash in row group 0: page CRC mismatch", e.problem());
    }

    @Test
    void shouldRefuseAFormat8Index() throws IOException {
        final ObjectNode m = (ObjectNode) JSON.readTree(index.resolve(IndexSchema.MANIFEST_FILE).toFile());
        m.put("version", 8);
        m.remove("lookup");
        IndexIntegrityTest.resign(index.resolve(IndexSchema.MANIFEST_FILE), m);
        Files.delete(lookup);
        final IndexException e = assertThrows(IndexException.class, () -> PacketIndex.open(capture, index));
        assertEquals(IndexException.Kind.VERSION, e.kind());
        assertTrue(e.problem().contains("index format version 8 is not the version this scalpel reads (9)"), e::problem);
        assertTrue(e.advice().contains("rebuild it with `scalpel index"), e::advice);
        assertEquals(IndexBuilder.Mode.REBUILT, new IndexBuilder(capture, index, MappedFile.DEFAULT_SEGMENT_SIZE, 512).build().mode());
        assertTrue(Files.isRegularFile(lookup), "the rebuilt index has its lookup file");
    }

    private static long varint(final byte[] in, final int[] pos) {
        long v = 0;
        for (int shift = 0; ; shift += 7) {
            final int b = in[pos[0]++] & 0xFF;
            v |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return v;
            }
        }
    }
}
