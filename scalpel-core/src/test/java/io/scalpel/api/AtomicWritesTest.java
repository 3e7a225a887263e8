package io.scalpel.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How the API writes files: one file appears whole or not at all, and the files of a batch all
 * or none. Oracle: what the directory holds afterwards, listed by the test.
 */
class AtomicWritesTest {
    @TempDir
    Path dir;

    @Test
    void shouldWriteAFileWholeAndReturnWhatItsContentCounted() throws IOException {
        final Path out = dir.resolve("one.pcap");
        final byte[] bytes = "seven frames".getBytes(StandardCharsets.US_ASCII);
        assertEquals(7, AtomicWrites.write(out, s -> {
            s.write(bytes);
            return 7;
        }));
        assertArrayEquals(bytes, Files.readAllBytes(out));
        assertEquals(List.of("one.pcap"), names());
    }

    @Test
    void shouldLeaveTheFileAsItWasWhenItsContentFails() throws IOException {
        final Path out = Files.writeString(dir.resolve("one.pcap"), "before");
        final IOException e = assertThrows(IOException.class, () -> AtomicWrites.write(out, s -> {
            s.write("half of it".getBytes(StandardCharsets.US_ASCII));
            throw new IOException("the capture went away");
        }));
        assertEquals("the capture went away", e.getMessage());
        assertEquals("before", Files.readString(out));
        assertEquals(List.of("one.pcap"), names(), "no temporary file is left");
    }

    @Test
    void shouldWriteEachNamedFileOfABatchAndSkipTheUnnamed() throws IOException {
        final Path[] outputs = {dir.resolve("a.pcap"), null, dir.resolve("c.pcap")};
        final List<Integer> asked = new ArrayList<>();
        final long[] counts = AtomicWrites.writeEach(3, outputs, dir, (i, s) -> {
            asked.add(i);
            s.write(("file " + i).getBytes(StandardCharsets.US_ASCII));
            return 10 + i;
        });
        assertArrayEquals(new long[] {10, 0, 12}, counts);
        assertEquals(List.of(0, 2), asked, "no content is asked for a file without a name");
        assertEquals("file 0", Files.readString(outputs[0]));
        assertEquals("file 2", Files.readString(outputs[2]));
        assertEquals(List.of("a.pcap", "c.pcap"), names());
    }

    @Test
    void shouldCommitNoFileOfABatchWhenOneOfItsContentsFails() throws IOException {
        final Path[] outputs = {dir.resolve("a.pcap"), dir.resolve("b.pcap"), dir.resolve("c.pcap")};
        final RuntimeException e = assertThrows(IllegalArgumentException.class, () -> AtomicWrites.writeEach(3, outputs, dir,
            (i, s) -> {
                s.write(("file " + i).getBytes(StandardCharsets.US_ASCII));
                if (i == 2) {
                    throw new IllegalArgumentException("pcap cannot hold two link types");
                }
                return 1;
            }));
        assertEquals("pcap cannot hold two link types", e.getMessage());
        assertEquals(List.of(), names(), "the files written before the failure are not renamed into place either");
    }

    @Test
    void shouldWriteOnlyTheFirstCountOfABatch() throws IOException {
        final Path[] outputs = {dir.resolve("a.pcap"), dir.resolve("b.pcap")};
        assertArrayEquals(new long[] {1}, AtomicWrites.writeEach(1, outputs, dir, (i, s) -> 1));
        assertEquals(List.of("a.pcap"), names());
    }

    /** The names in the directory, sorted, hidden temporary files included. */
    private List<String> names() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
