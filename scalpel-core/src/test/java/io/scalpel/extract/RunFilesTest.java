package io.scalpel.extract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which outputs conflict with the inputs of a run, or with each other, however they are spelled:
 * relative or absolute, through {@code ..}, symbolic links (of the file or of a directory on its
 * path) or hard links; and which do not.
 */
class RunFilesTest {
    @TempDir
    Path dir;
    Path capture;
    Path index;
    RunFiles files;

    @BeforeEach
    void inputs() throws IOException {
        capture = Files.writeString(dir.resolve("trace.pcap"), "capture");
        index = Files.createDirectories(dir.resolve("trace.pcap.scalpel/packets"));
        index = index.getParent();
        files = new RunFiles().input(capture, "the capture").inputDirectory(index, "the index");
    }

    private String refusal(final Path output) {
        return assertThrows(OutputConflictException.class, () -> files.output(output, "-w")).getMessage();
    }

    @Test
    void shouldRefuseTheCaptureByItsOwnPath() {
        assertEquals("-w " + capture + " is the capture " + capture + "; an output must not be an input of the same run",
            refusal(capture));
    }

    @Test
    void shouldRefuseTheCaptureThroughDotDot() throws IOException {
        Files.createDirectory(dir.resolve("sub"));

        refusal(dir.resolve("sub/../trace.pcap"));
    }

    @Test
    void shouldRefuseTheCaptureThroughALinkedDirectory() throws IOException {
        final Path alias = Files.createSymbolicLink(dir.resolve("alias"), dir);

        refusal(alias.resolve("trace.pcap"));
    }

    @Test
    void shouldRefuseASymlinkToTheCapture() throws IOException {
        final Path link = Files.createSymbolicLink(dir.resolve("link.pcap"), capture);

        assertEquals("-w " + link + " is a symbolic link to the capture " + capture + "; an output must not be an input of the same run",
            refusal(link));
    }

    @Test
    void shouldRefuseAHardLinkToTheCapture() throws IOException {
        final Path hard = Files.createLink(dir.resolve("hard.pcap"), capture);

        assertEquals("-w " + hard + " is a hard link to the capture " + capture + "; an output must not be an input of the same run",
            refusal(hard));
    }

    @Test
    void shouldRefuseTheCaptureGivenThroughASymlinkAsInput() throws IOException {
        final Path link = Files.createSymbolicLink(dir.resolve("link.pcap"), capture);
        files = new RunFiles().input(link, "the capture");

        refusal(capture);
    }

    @Test
    void shouldRefuseAFileInsideTheIndexAndTheIndexItself() {
        assertEquals("-w " + index.resolve("manifest.json") + " is inside the index " + index
            + "; an output must not be written into an input of the same run", refusal(index.resolve("manifest.json")));
        assertEquals("-w " + index + " is the index " + index + "; an output must not be written into an input of the same run",
            refusal(index));
    }

    @Test
    void shouldRefuseAnIndexNotBuiltYetByItsName() throws IOException {
        final Path future = dir.resolve("other.pcap.scalpel");
        files = new RunFiles().inputDirectory(future, "the index");

        refusal(future);
        refusal(future.resolve("packets/part-0.parquet"));
    }

    @Test
    void shouldRefuseAMemberOfADirectoryThatLivesElsewhereBehindALink() throws IOException {
        final Path set = Files.createDirectory(dir.resolve("set"));
        final Path member = Files.createSymbolicLink(set.resolve("a.pcap"), capture);
        files = new RunFiles().inputDirectory(set, "the capture set directory", "the capture set member");

        assertEquals("-w " + capture + " is the capture set member " + member + "; an output must not be an input of the same run",
            refusal(capture));
        refusal(set.resolve("new.pcap"));
    }

    @Test
    void shouldRefuseAnOutputUnderADirectoryThatIsNotCreatedYetButLinkedIntoAnInputDirectory() throws IOException {
        final Path link = Files.createSymbolicLink(dir.resolve("into-index"), index);

        refusal(link.resolve("a/b/out.pcap"));
    }

    @Test
    void shouldRefuseTheSameOutputTwice() throws IOException {
        final Path out = dir.resolve("out.pcap");
        files.output(out, "-w");

        final String m = assertThrows(OutputConflictException.class, () -> files.output(out, "--arrow")).getMessage();

        assertEquals("--arrow " + out + " is also -w " + out + "; the outputs of one run must be different files", m);
    }

    @Test
    void shouldAcceptOutputsThatAreNoInput() throws IOException {
        final Path victim = Files.writeString(dir.resolve("victim"), "x");
        files.output(dir.resolve("out.pcap"), "-w");
        files.output(Files.createSymbolicLink(dir.resolve("link.arrow"), victim), "--arrow");
        files.check(dir.resolve("split/uid.pcap"), "--split-dir file");
        files.check(dir.resolve("trace.pcap.scalpel.txt"), "--split-dir file");
        files.check(dir.resolve("trace.pcapng"), "--split-dir file");
    }

    @Test
    void shouldNotCompareADeviceWrittenInPlace() {
        final Path devNull = Path.of("/dev/null");
        assumeTrue(Files.exists(devNull), "skipped: no /dev/null on this system");
        files = new RunFiles().input(devNull, "the conn.log");

        files.output(devNull, "-w");
        files.output(devNull, "--arrow");
    }
}
