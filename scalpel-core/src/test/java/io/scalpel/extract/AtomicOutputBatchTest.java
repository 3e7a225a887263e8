package io.scalpel.extract;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Files committed together: none appears under its name before the commit, every one appears
 * with its bytes after it, and a failed batch leaves no temporary file behind.
 */
class AtomicOutputBatchTest {
    private static List<String> names(final Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
        }
    }

    private static byte[] content(final int i) {
        return ("file " + i + " ").repeat(1 + i % 50).getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void shouldShowNoFileBeforeCommitAndEveryFileAfter(@TempDir final Path dir) throws IOException {
        final int n = AtomicOutputBatch.SYNC_GROUP * 2 + 17; // more than one sync group
        try (AtomicOutputBatch batch = new AtomicOutputBatch(dir)) {
            for (int i = 0; i < n; i++) {
                final AtomicOutput out = batch.open(dir.resolve("f" + i + ".pcap"));
                out.stream().write(content(i));
                batch.done(out);
            }
            for (String name : names(dir)) {
                assertTrue(name.startsWith(".") && name.contains(".tmp-"), "before the commit only temporary files: " + name);
            }
            batch.commit();
        }
        final List<String> names = names(dir);
        assertEquals(n, names.size(), "one file per output, no temporary file left: " + names.subList(0, 5));
        for (int i = 0; i < n; i++) {
            assertArrayEquals(content(i), Files.readAllBytes(dir.resolve("f" + i + ".pcap")), "f" + i);
        }
    }

    @Test
    void shouldLeaveNoTemporaryFileWhenTheBatchFails(@TempDir final Path dir) throws IOException {
        Files.createDirectory(dir.resolve("f3.pcap")); // a target that cannot be written
        final OutputException e = assertThrows(OutputException.class, () -> {
            try (AtomicOutputBatch batch = new AtomicOutputBatch(dir)) {
                for (int i = 0; i < 5; i++) {
                    final AtomicOutput out = batch.open(dir.resolve("f" + i + ".pcap"));
                    out.stream().write(content(i));
                    batch.done(out);
                }
                batch.commit();
            }
        });
        assertTrue(e.getMessage().contains("f3.pcap"), e.getMessage());
        assertEquals(List.of("f3.pcap"), names(dir), "the temporary files of f0..f2 are deleted, nothing renamed");
    }
}
