package io.scalpel.extract;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One output file: written under a temporary name created new, renamed over its target. What the
 * target's name held before (a file, a symbolic link to a file, a dangling link) is replaced as a
 * name: no byte of any other file changes. Streams (a device, through a link or not) are written
 * in place; a directory is refused.
 */
class AtomicOutputTest {
    private static final byte[] NEW = "new bytes".getBytes(StandardCharsets.US_ASCII);

    @TempDir
    Path dir;

    private static void write(final Path target) throws IOException {
        try (AtomicOutput out = AtomicOutput.open(target)) {
            out.stream().write(NEW);
            out.commit();
        }
    }

    private List<String> temporaryFiles() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.contains(".tmp-")).toList();
        }
    }

    @Test
    void shouldReplaceAnExistingLongerFileWhole() throws IOException {
        final Path target = Files.writeString(dir.resolve("out.pcap"), "old bytes, many more of them than the new ones");

        write(target);

        assertArrayEquals(NEW, Files.readAllBytes(target));
        assertEquals(List.of(), temporaryFiles());
    }

    @Test
    void shouldReplaceASymlinkAsANameAndLeaveItsTargetAlone() throws IOException {
        final Path victim = Files.writeString(dir.resolve("victim"), "the victim's bytes, longer than the new ones");
        final Path link = Files.createSymbolicLink(dir.resolve("out.pcap"), victim);

        write(link);

        assertEquals("the victim's bytes, longer than the new ones", Files.readString(victim));
        assertFalse(Files.isSymbolicLink(link), "the link itself is replaced");
        assertArrayEquals(NEW, Files.readAllBytes(link));
    }

    @Test
    void shouldReplaceADanglingSymlinkInsteadOfCreatingItsTarget() throws IOException {
        final Path missing = dir.resolve("elsewhere");
        final Path link = Files.createSymbolicLink(dir.resolve("out.pcap"), missing);

        write(link);

        assertFalse(Files.exists(missing), "the link's target is not created");
        assertFalse(Files.isSymbolicLink(link));
        assertArrayEquals(NEW, Files.readAllBytes(link));
    }

    @Test
    void shouldReplaceAHardLinkAsANameAndLeaveTheOtherNameAlone() throws IOException {
        final Path other = Files.writeString(dir.resolve("other"), "shared bytes");
        final Path hard = Files.createLink(dir.resolve("out.pcap"), other);

        write(hard);

        assertEquals("shared bytes", Files.readString(other));
        assertArrayEquals(NEW, Files.readAllBytes(hard));
    }

    @Test
    void shouldWriteADeviceInPlaceThroughASymlink() throws IOException {
        final Path devNull = Path.of("/dev/null");
        assumeTrue(Files.exists(devNull), "skipped: no /dev/null on this system");
        final Path link = Files.createSymbolicLink(dir.resolve("null.pcap"), devNull);

        write(link);

        assertTrue(Files.isSymbolicLink(link), "the link to the device stays");
        assertEquals(List.of(), temporaryFiles(), "no temporary file for a stream");
    }

    @Test
    void shouldReportAFullDeviceAsAnOutputError() {
        final Path full = Path.of("/dev/full");
        assumeTrue(Files.exists(full), "skipped: no /dev/full on this system");

        final OutputException e = assertThrows(OutputException.class, () -> write(full));

        assertEquals("cannot write /dev/full: No space left on device", e.getMessage());
    }

    @Test
    void shouldRefuseADirectoryAndASymlinkToOne() throws IOException {
        final Path sub = Files.createDirectory(dir.resolve("sub"));
        final Path link = Files.createSymbolicLink(dir.resolve("link"), sub);

        final OutputException direct = assertThrows(OutputException.class, () -> write(sub));
        final OutputException linked = assertThrows(OutputException.class, () -> write(link));

        assertEquals(sub + ": is a directory", direct.getMessage());
        assertEquals(link + ": is a directory", linked.getMessage());
        assertTrue(Files.isSymbolicLink(link));
    }

    @Test
    void shouldSayThatADirectoryIsMissing() {
        final Path target = dir.resolve("no/such/dir/out.pcap");

        final OutputException e = assertThrows(OutputException.class, () -> write(target));

        assertEquals("cannot write " + target + ": no such directory", e.getMessage());
    }

    @Test
    void shouldSayThatADirectoryTakesNoNewFiles() {
        assumeTrue(Files.isDirectory(Path.of("/proc/self")), "skipped: no /proc on this system");
        final Path target = Path.of("/proc/x.pcap");

        final OutputException e = assertThrows(OutputException.class, () -> write(target));

        assertEquals("cannot write /proc/x.pcap: cannot create a file in the directory /proc"
            + " (the file system answered: no such file or directory)", e.getMessage());
    }

    @Test
    void shouldLeaveTheTargetAsItWasWhenNotCommitted() throws IOException {
        final Path target = Files.writeString(dir.resolve("out.pcap"), "previous");

        try (AtomicOutput out = AtomicOutput.open(target)) {
            out.stream().write(NEW);
            out.stream().flush();
        }

        assertEquals("previous", Files.readString(target));
        assertEquals(List.of(), temporaryFiles());
    }
}
