package io.scalpel.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scalpel.api.Scalpel;
import io.scalpel.capture.MappedFile;
import io.scalpel.slice.FlowQuery;
import io.scalpel.testdata.CaptureGenerator;
import io.scalpel.testdata.Generated;
import io.scalpel.testdata.GeneratorSpec;
import io.scalpel.testing.ConnLogs;
import io.scalpel.zeek.ConnRecord;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The footers of an index read ahead on a thread of their own ({@link PacketIndex#readFootersAhead})
 * while lookups run at the same time: every connection of a generated capture looked up by its flow
 * hash gives the rows of the same lookup in an index opened without it, and those rows hold every
 * frame the generator says is the connection's; once the thread is done every footer is read, and it
 * is started once per index. A part whose footer region is damaged is left to the lookup, which
 * refuses it with the same message, file and byte offset as without the thread.
 */
class FootersAheadTest {
    @TempDir
    Path dir;
    Path capture;
    Path index;
    Generated truth;

    @BeforeEach
    void build() throws IOException {
        capture = dir.resolve("c.pcap");
        truth = CaptureGenerator.generate(GeneratorSpec.everything(9412).withConnections(60), capture, dir.resolve("conn.log"));
        index = dir.resolve("c.pcap.scalpel");
        // small chunks: several row groups in each of the two parts of each table
        new IndexBuilder(capture, index, MappedFile.DEFAULT_SEGMENT_SIZE, 64).build();
    }

    @Test
    void shouldLookUpWhatAnIndexWithoutItLooksUpWhileTheFootersAreReadAhead() throws Exception {
        final List<ConnRecord> rows = ConnLogs.readStrictly(dir.resolve("conn.log"));
        final List<Long> hashes = new ArrayList<>();
        try (Scalpel s = Scalpel.open(capture, Scalpel.Options.defaults().withIndex(index).withBuildIfMissing(false))) {
            for (ConnRecord r : rows) {
                hashes.add(s.query(r) instanceof FlowQuery q ? q.flowHash() : null);
            }
        }
        final List<Set<Long>> expected = new ArrayList<>();
        try (PacketIndex plain = PacketIndex.open(capture, index)) {
            for (Long hash : hashes) {
                expected.add(hash == null ? Set.of() : offsets(plain, hash));
            }
        }
        int checked = 0;
        try (PacketIndex ahead = PacketIndex.open(capture, index)) {
            assertFalse(ahead.footersAhead.allRead(), "no footer is read when an index is opened");
            final Thread t = ahead.footersAhead.start();
            assertNotNull(t, "the thread is started");
            assertNull(ahead.footersAhead.start(), "once per index");
            for (int i = 0; i < rows.size(); i++) {
                if (hashes.get(i) == null) {
                    continue;
                }
                final Set<Long> found = offsets(ahead, hashes.get(i));
                assertEquals(expected.get(i), found, rows.get(i).uid());
                final Set<Long> frames = new TreeSet<>();
                truth.framesOf(rows.get(i).uid()).forEach(f -> frames.add(truth.frame(f).recordOffset()));
                assertTrue(found.containsAll(frames), rows.get(i).uid() + ": the generator's frames " + frames + " in " + found);
                checked++;
            }
            t.join();
            assertTrue(ahead.footersAhead.allRead(), "every footer read once the thread is done");
        }
        assertTrue(checked > 40, "connections looked up: " + checked);
    }

    @Test
    void shouldLeaveADamagedFooterRegionToTheLookupWhichRefusesItAsWithout() throws Exception {
        final Path part = index.resolve(IndexSchema.FLOWS_DIR).resolve(IndexSchema.partFile(0));
        try (RandomAccessFile f = new RandomAccessFile(part.toFile(), "rw")) {
            final long at = f.length() - 20; // inside the footer
            f.seek(at);
            final int b = f.read();
            f.seek(at);
            f.write(b ^ 0x5A);
        }
        final String without;
        try (PacketIndex plain = PacketIndex.open(capture, index)) {
            without = assertThrows(IndexException.class, () -> offsets(plain, 1L << 40)).getMessage();
        }
        try (PacketIndex ahead = PacketIndex.open(capture, index)) {
            ahead.footersAhead.start().join();
            assertFalse(ahead.footersAhead.allRead(), "the damaged part is not taken as read");
            final IndexException e = assertThrows(IndexException.class, () -> offsets(ahead, 1L << 40));
            assertEquals(IndexException.Kind.CORRUPT, e.kind());
            assertEquals(without, e.getMessage());
            assertTrue(e.getMessage().contains(part + ": byte offset "), e.getMessage());
        }
    }

    private static Set<Long> offsets(final PacketIndex index, final long hash) throws IOException {
        final Set<Long> offsets = new TreeSet<>();
        index.lookup(hash, Long.MIN_VALUE, Long.MAX_VALUE, (ts, offset, chunk, flow, dgramTs) -> offsets.add(offset));
        return offsets;
    }
}
