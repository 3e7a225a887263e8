package io.scalpel.index;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scalpel.api.Scalpel;
import io.scalpel.capture.MappedFile;
import io.scalpel.testdata.CaptureFileFormat;
import io.scalpel.testdata.CaptureGenerator;
import io.scalpel.testdata.Generated;
import io.scalpel.testdata.GeneratorSpec;
import io.scalpel.testing.ConnLogs;
import io.scalpel.zeek.ConnRecord;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * An index built in many small chunks, so that both writer threads write several of them into
 * their own part files, alternately: every uid selects exactly the generator's frames, and
 * time windows select what an index built in one chunk selects. Flows, fragmented datagrams and
 * tunnels then cross chunk boundaries, and so the two parts, all the time.
 */
class TwoWriterIndexTest {
    private static final int CHUNK_ROWS = 512;

    @TempDir
    Path dir;

    static Stream<GeneratorSpec> specs() {
        return Stream.of(
            GeneratorSpec.everything(7101).withConnections(400),
            GeneratorSpec.everything(7102).withConnections(400).withFormat(CaptureFileFormat.PCAPNG_MIXED_ENDIAN)
                .withLinkType(GeneratorSpec.MIXED_LINK_TYPES));
    }

    @ParameterizedTest
    @MethodSource("specs")
    void shouldSelectTheTruthFromChunksWrittenAlternatelyByTwoWriters(final GeneratorSpec spec) throws IOException {
        final Path capture = dir.resolve("c." + spec.format().extension());
        final Path conn = dir.resolve("conn.log");
        final Generated truth = CaptureGenerator.generate(spec, capture, conn);
        final Path small = dir.resolve("small.idx");
        final IndexBuilder.Result built = new IndexBuilder(capture, small, MappedFile.DEFAULT_SEGMENT_SIZE, CHUNK_ROWS).build();
        final long chunks = built.manifest().resume().nextChunk();
        assertTrue(chunks >= 6, "chunks written: " + chunks);
        assertEquals(2, built.manifest().parts().size(), "one part per writer thread");
        assertTrue(built.manifest().parts().get(0).packets() > 0 && built.manifest().parts().get(1).packets() > 0,
            () -> "both writers wrote rows: " + built.manifest().parts());
        assertEquals(truth.frames().size(), built.manifest().packets());

        final Path one = dir.resolve("one.idx");
        new IndexBuilder(capture, one).build();
        final List<ConnRecord> rows = ConnLogs.readStrictly(conn);
        try (Scalpel chunked = Scalpel.open(capture, Scalpel.Options.defaults().withIndex(small).withBuildIfMissing(false));
             Scalpel whole = Scalpel.open(capture, Scalpel.Options.defaults().withIndex(one).withBuildIfMissing(false))) {
            final Scalpel.Selection got = chunked.select(rows);
            for (int i = 0; i < rows.size(); i++) {
                final String uid = rows.get(i).uid();
                final long[] expected = truth.framesOf(uid).stream().mapToLong(f -> truth.frame(f).recordOffset()).sorted().toArray();
                assertArrayEquals(expected, got.offsets(i), () -> spec + ": " + uid);
            }
            final long first = truth.firstTsNanos();
            final long span = truth.lastTsNanos() - first;
            for (int w = 0; w < 5; w++) {
                final long from = first + span * w / 5;
                final long to = from + span / 3;
                final long[] inOneChunk = whole.selectWindow(from, to);
                assertTrue(inOneChunk.length > 0, "a window with frames");
                assertArrayEquals(inOneChunk, chunked.selectWindow(from, to), () -> spec + ": window " + from + ".." + to);
            }
        }
    }
}
