package io.scalpel.index;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.scalpel.api.Scalpel;
import io.scalpel.capture.MappedFile;
import io.scalpel.testdata.CaptureGenerator;
import io.scalpel.testdata.Generated;
import io.scalpel.testdata.GeneratorSpec;
import io.scalpel.testing.ConnLogs;
import io.scalpel.zeek.ConnRecord;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Fuzz test of the index reader (see docs/robustness.md): the input is a list of damages done to
 * the files of an index of a generated capture (its manifest and every part of both tables): a
 * byte changed, a file cut short, a part replaced by the part of the same name of another
 * capture's index. After each, every row of both tables is read, a few flows are looked up by
 * hash (the bloom filters and page indexes of a lookup), and the index is verified. Every read
 * must give exactly the rows of the intact index (whose lookups select the generator's truth,
 * checked once), or be refused with an {@link IndexException} whose message is
 * one line naming a file of the index (or, for the other capture's manifest, the index as stale); and {@link PacketIndex#verify} must call the index damaged
 * exactly when a byte of it changed. Each damage is undone before the next input. Without
 * {@code JAZZER_FUZZ} the committed inputs under {@code IndexReaderFuzzTestInputs/} run as
 * regression tests.
 */
class IndexReaderFuzzTest {
    /** Bytes per damage in the input: what (1), which file (1), where (4), value (1). */
    private static final int DAMAGE_BYTES = 7;
    private static final int MAX_DAMAGES = 4;
    /** Flows looked up by hash after each damage. */
    private static final int LOOKUPS = 3;

    /** The indexes, built once per JVM, and what their intact form selects. */
    private static final class Fixture {
        final Path capture;
        final Path index;
        final List<Path> files = new ArrayList<>();
        final List<byte[]> intact = new ArrayList<>();
        final Path other;
        final List<String> packetRows = new ArrayList<>();
        final List<String> flowRows = new ArrayList<>();
        final long[] hashes = new long[LOOKUPS];
        final List<List<String>> lookups = new ArrayList<>();

        Fixture() throws IOException {
            final Path dir = Files.createTempDirectory("scalpel-index-fuzz");
            capture = dir.resolve("c.pcap");
            final Generated truth = CaptureGenerator.generate(GeneratorSpec.everything(9301).withConnections(40), capture,
                dir.resolve("conn.log"));
            index = dir.resolve("c.pcap.scalpel");
            // small chunks: several row groups in each of the two parts of each table
            new IndexBuilder(capture, index, MappedFile.DEFAULT_SEGMENT_SIZE, 64).build();
            final Path otherCapture = dir.resolve("o.pcap");
            CaptureGenerator.generate(GeneratorSpec.everything(9302).withConnections(40), otherCapture, null);
            other = dir.resolve("o.pcap.scalpel");
            new IndexBuilder(otherCapture, other, MappedFile.DEFAULT_SEGMENT_SIZE, 64).build();
            try (Stream<Path> s = Files.walk(index)) {
                s.filter(Files::isRegularFile).sorted().forEach(files::add);
            }
            for (Path f : files) {
                intact.add(Files.readAllBytes(f));
            }
            final List<ConnRecord> rows = ConnLogs.readStrictly(dir.resolve("conn.log"));
            try (Scalpel s = Scalpel.open(capture, Scalpel.Options.defaults().withIndex(index).withBuildIfMissing(false))) {
                final long[][] selected = s.select(rows).offsets();
                for (int i = 0; i < rows.size(); i++) {
                    final String uid = rows.get(i).uid();
                    assertArrayEquals(truth.framesOf(uid).stream().mapToLong(f -> truth.frame(f).recordOffset()).sorted().toArray(),
                        selected[i], uid);
                }
                for (int i = 0; i < LOOKUPS; i++) {
                    hashes[i] = ((io.scalpel.slice.FlowQuery) s.query(rows.get(i))).flowHash();
                }
            }
            read(PacketIndex.open(capture, index), packetRows, flowRows, lookups);
        }

        /** Every row of both tables, and the rows of each lookup, as text. */
        void read(final PacketIndex i, final List<String> packets, final List<String> flows, final List<List<String>> found)
            throws IOException {
            i.scanAll((ts, offset, chunk, flow, dgramTs) -> packets.add(ts + " " + offset + " " + chunk
                + " " + flow + " " + dgramTs));
            i.scanFlows((chunk, flow, hash, first, last) -> flows.add(chunk + " " + flow + " " + hash + " " + first + " " + last));
            for (long hash : hashes) {
                final List<String> rows = new ArrayList<>();
                i.lookup(hash, Long.MIN_VALUE, Long.MAX_VALUE, (ts, offset, chunk, flow, dgramTs) -> rows.add(ts + " " + offset));
                found.add(rows);
            }
        }
    }

    private static Fixture fixture;

    private static synchronized Fixture fixture() throws IOException {
        if (fixture == null) {
            fixture = new Fixture();
        }
        return fixture;
    }

    /** Up to four damages, then every row read, a few lookups and a verification. */
    @FuzzTest(maxDuration = "30m")
    void damagedIndex(final byte[] input) throws IOException {
        final Fixture f = fixture();
        final boolean[] touched = new boolean[f.files.size()];
        try {
            for (int d = 0; d + DAMAGE_BYTES <= input.length && d / DAMAGE_BYTES < MAX_DAMAGES; d += DAMAGE_BYTES) {
                final int file = (input[d + 1] & 0xFF) % f.files.size();
                damage(f, file, input[d] & 0x03, input, d);
                touched[file] = true;
            }
            boolean changed = false; // (a second damage may undo a first)
            for (int i = 0; i < touched.length; i++) {
                changed |= touched[i] && !java.util.Arrays.equals(Files.readAllBytes(f.files.get(i)), f.intact.get(i));
            }
            readAndVerify(f, changed);
        } finally {
            for (int i = 0; i < touched.length; i++) {
                if (touched[i]) {
                    Files.write(f.files.get(i), f.intact.get(i));
                }
            }
        }
    }

    /** Does one damage to one file. */
    private static void damage(final Fixture f, final int file, final int what, final byte[] input, final int d) throws IOException {
        final Path path = f.files.get(file);
        final byte[] now = Files.readAllBytes(path);
        if (now.length == 0) {
            return;
        }
        final int at = (int) (((input[d + 2] & 0xFFL) << 24 | (input[d + 3] & 0xFF) << 16 | (input[d + 4] & 0xFF) << 8
            | (input[d + 5] & 0xFF)) % now.length);
        final byte value = input[d + 6];
        switch (what) {
            case 0 -> now[at] ^= value;
            case 1 -> now[at] = value;
            case 2 -> {
                try (RandomAccessFile r = new RandomAccessFile(path.toFile(), "rw")) {
                    r.setLength(at);
                }
                return;
            }
            default -> {
                final Path swap = f.other.resolve(f.index.relativize(path).toString());
                if (Files.isRegularFile(swap)) {
                    Files.write(path, Files.readAllBytes(swap));
                    return;
                }
                now[at] ^= value;
            }
        }
        try (RandomAccessFile r = new RandomAccessFile(path.toFile(), "rw")) {
            r.seek(at);
            r.write(now[at]);
        }
    }

    private static void readAndVerify(final Fixture f, final boolean changed) throws IOException {
        try {
            final List<String> packets = new ArrayList<>();
            final List<String> flows = new ArrayList<>();
            final List<List<String>> lookups = new ArrayList<>();
            f.read(PacketIndex.open(f.capture, f.index), packets, flows, lookups);
            assertEquals(f.packetRows, packets, "a damaged index gave other packet rows");
            assertEquals(f.flowRows, flows, "a damaged index gave other flow rows");
            assertEquals(f.lookups, lookups, "a damaged index looked up other rows");
        } catch (IndexException e) {
            assertRefusal(f, e);
        }
        try {
            final List<IndexFileCheck> checks = PacketIndex.verify(f.capture, f.index);
            final boolean damaged = checks.stream().anyMatch(c -> !c.intact());
            assertTrue(damaged == changed, () -> (changed ? "damage not found: " : "intact index called damaged: ") + checks);
        } catch (IndexException e) {
            assertTrue(changed, "verify refused an intact index: " + e.getMessage());
            assertRefusal(f, e);
        }
    }

    private static void assertRefusal(final Fixture f, final IndexException e) {
        final String m = e.getMessage();
        assertFalse(m.contains("\n") || m.contains("\r"), () -> "a message of more than one line: " + m);
        assertTrue(m.contains(f.index.toString()), () -> "a message that names no file of the index: " + m);
        // STALE: the other capture's whole manifest, intact, describes the other capture
        assertTrue(e.kind() != IndexException.Kind.MISSING, () -> e.kind() + ": " + m);
    }
}
