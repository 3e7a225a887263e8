package io.scalpel.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scalpel.extract.Recompressor;
import io.scalpel.slice.ExtractOptions;
import io.scalpel.extract.OutputConflictException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Java API refuses, as the CLI does, an output file that is an input of the same instance:
 * the capture (by any path or link), a file of its index, a member or the directory of a capture
 * set; nothing is written then. The file system is the oracle: the capture's bytes are compared
 * before and after.
 */
class OutputConflictApiTest {
    @TempDir
    Path dir;
    Path capture;
    byte[] captureBytes;

    @BeforeEach
    void copyTheSample() throws IOException {
        final Path testdata = Path.of(System.getProperty("scalpel.testdata.dir", "../testdata"));
        capture = Files.copy(testdata.resolve("sample.pcap"), dir.resolve("sample.pcap"));
        captureBytes = Files.readAllBytes(capture);
    }

    @Test
    void shouldRefuseToWriteTheCaptureOrIntoItsIndex() throws IOException {
        final Path link = Files.createSymbolicLink(dir.resolve("link.pcap"), capture);
        try (Scalpel s = Scalpel.open(capture)) {
            final long[] all = s.selectWindow(Long.MIN_VALUE, Long.MAX_VALUE);
            final Path manifest = s.index().directory().resolve("manifest.json");
            final byte[] manifestBytes = Files.readAllBytes(manifest);

            assertThrows(OutputConflictException.class, () -> s.write(all, ExtractOptions.defaults(), capture));
            assertThrows(OutputConflictException.class, () -> s.write(all, ExtractOptions.defaults(), link));
            assertThrows(OutputConflictException.class, () -> s.write(all, ExtractOptions.defaults(), manifest));
            assertThrows(OutputConflictException.class, () -> ArrowPairs.write(s, List.of(), new long[0][], capture));
            final Path fine = dir.resolve("fine.pcap");
            assertThrows(OutputConflictException.class,
                () -> s.writeEach(new long[][] {all, all}, new Path[] {fine, capture}, dir, ExtractOptions.defaults()));

            assertFalse(Files.exists(fine), "no file of the batch is written when one is refused");
            assertArrayEquals(manifestBytes, Files.readAllBytes(manifest));
        }
        assertArrayEquals(captureBytes, Files.readAllBytes(capture));
        assertTrue(Files.isSymbolicLink(link));
    }

    @Test
    void shouldRefuseToRecompressTheCaptureOntoItself() throws IOException {
        final Path link = Files.createSymbolicLink(dir.resolve("link.pcap.gz"), capture);

        final OutputConflictException e = assertThrows(OutputConflictException.class,
            () -> Recompressor.recompress(capture, link, Recompressor.codecFor(link)));

        assertEquals("the copy " + link + " is a symbolic link to the capture " + capture + "; an output must not be an input of the same run", e.getMessage());
        assertArrayEquals(captureBytes, Files.readAllBytes(capture));
    }

    @Test
    void shouldRefuseToWriteIntoACaptureSetDirectory() throws IOException {
        final Path set = Files.createDirectory(dir.resolve("set"));
        Files.move(capture, set.resolve("a.pcap"));
        try (CaptureSet s = CaptureSet.open(set)) {
            final CaptureSet.Selection all = s.selectWindow(Long.MIN_VALUE, Long.MAX_VALUE);

            assertThrows(OutputConflictException.class, () -> s.write(all, -1, ExtractOptions.defaults(), set.resolve("x.pcap")));
            assertThrows(OutputConflictException.class, () -> s.write(all, -1, ExtractOptions.defaults(), set.resolve("a.pcap")));
        }
        assertFalse(Files.exists(set.resolve("x.pcap")), "no output became a member");
        assertArrayEquals(captureBytes, Files.readAllBytes(set.resolve("a.pcap")));
    }
}
