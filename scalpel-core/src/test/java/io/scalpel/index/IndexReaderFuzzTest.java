package io.scalpel.index;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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
 * capture's index. After each, the capture is sliced through the index (every uid, and a time
 * window) and the index is verified. Every slice must select exactly what the intact index
 * selects (the generator's truth), or be refused with an {@link IndexException} whose message is
 * one line naming a file of the index (or, for the other capture's manifest, the index as stale); and {@link PacketIndex#verify} must call the index damaged
 * exactly when a byte of it changed. Each damage is undone before the next input. Without
 * {@code JAZZER_FUZZ} the committed inputs under {@code IndexReaderFuzzTestInputs/} run as
 * regression tests.
 */
class IndexReaderFuzzTest {
    /** Bytes per damage in the input: what (1), which file (1), where (4), value (1). */
    private static final int DAMAGE_BYTES = 7;
    private static final int MAX_DAMAGES = 4;
    /** Uids looked up one by one (fewer than {@link io.scalpel.slice.Slicer#LOOKUPS_BEFORE_SCAN}). */
    private static final int LOOKUPS = 3;

    /** The indexes, built once per JVM, and what their intact form selects. */
    private static final class Fixture {
        final Path capture;
        final Path index;
        final List<Path> files = new ArrayList<>();
        final List<byte[]> intact = new ArrayList<>();
        final Path other;
        final List<ConnRecord> rows;
        final long[][] expected;
        final long[] window;
        final long from;
        final long to;

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
            rows = ConnLogs.readStrictly(dir.resolve("conn.log"));
            from = truth.firstTsNanos();
            to = from + (truth.lastTsNanos() - from) / 2;
            try (Scalpel s = open()) {
                expected = s.select(rows).offsets();
                window = s.selectWindow(from, to);
            }
            for (int i = 0; i < rows.size(); i++) {
                final String uid = rows.get(i).uid();
                assertArrayEquals(truth.framesOf(uid).stream().mapToLong(f -> truth.frame(f).recordOffset()).sorted().toArray(),
                    expected[i], uid);
            }
        }

        Scalpel open() throws IOException {
            return Scalpel.open(capture, Scalpel.Options.defaults().withIndex(index).withBuildIfMissing(false));
        }
    }

    private static Fixture fixture;

    private static synchronized Fixture fixture() throws IOException {
        if (fixture == null) {
            fixture = new Fixture();
        }
        return fixture;
    }

    /** Up to four damages, then every slice and a verification. */
    @FuzzTest(maxDuration = "30m")
    void damagedIndex(final byte[] input) throws IOException {
        final Fixture f = fixture();
        final boolean[] touched = new boolean[f.files.size()];
        boolean changed = false;
        try {
            for (int d = 0; d + DAMAGE_BYTES <= input.length && d / DAMAGE_BYTES < MAX_DAMAGES; d += DAMAGE_BYTES) {
                final int file = (input[d + 1] & 0xFF) % f.files.size();
                changed |= damage(f, file, input[d] & 0x03, input, d);
                touched[file] = true;
            }
            sliceAndVerify(f, changed);
        } finally {
            for (int i = 0; i < touched.length; i++) {
                if (touched[i]) {
                    Files.write(f.files.get(i), f.intact.get(i));
                }
            }
        }
    }

    /** Does one damage; returns whether the file's bytes differ from the intact ones afterwards. */
    private static boolean damage(final Fixture f, final int file, final int what, final byte[] input, final int d) throws IOException {
        final Path path = f.files.get(file);
        final byte[] now = Files.readAllBytes(path);
        if (now.length == 0) {
            return !java.util.Arrays.equals(now, f.intact.get(file));
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
                return !java.util.Arrays.equals(Files.readAllBytes(path), f.intact.get(file));
            }
            default -> {
                final Path swap = f.other.resolve(f.index.relativize(path).toString());
                if (Files.isRegularFile(swap)) {
                    Files.write(path, Files.readAllBytes(swap));
                    return !java.util.Arrays.equals(Files.readAllBytes(path), f.intact.get(file));
                }
                now[at] ^= value;
            }
        }
        try (RandomAccessFile r = new RandomAccessFile(path.toFile(), "rw")) {
            r.seek(at);
            r.write(now[at]);
        }
        return !java.util.Arrays.equals(Files.readAllBytes(path), f.intact.get(file));
    }

    private static void sliceAndVerify(final Fixture f, final boolean changed) throws IOException {
        try (Scalpel s = f.open()) {
            final long[][] got = s.select(f.rows).offsets();
            for (int i = 0; i < got.length; i++) {
                assertArrayEquals(f.expected[i], got[i], "a damaged index selected other frames for " + f.rows.get(i).uid());
            }
            assertArrayEquals(f.window, s.selectWindow(f.from, f.to), "a damaged index selected other frames in the window");
            // a few uids: looked up one by one, not by a scan of both tables
            final long[][] few = s.select(f.rows.subList(0, LOOKUPS)).offsets();
            for (int i = 0; i < LOOKUPS; i++) {
                assertArrayEquals(f.expected[i], few[i], "a damaged index found other frames for " + f.rows.get(i).uid());
            }
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
