package io.scalpel.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scalpel.testdata.CaptureFileFormat;
import io.scalpel.testdata.CaptureGenerator;
import io.scalpel.testdata.Generated;
import io.scalpel.testdata.GeneratorSpec;
import io.scalpel.testdata.TruthFrame;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code slice --format}: a conversion that would lose link types is a usage error that writes nothing. */
class SliceFormatCommandTest {
    @TempDir
    Path dir;

    @Test
    void shouldExitWithUsageAndWriteNothingWhenAPcapWouldMixLinkTypes() throws Exception {
        final Path capture = dir.resolve("cap.pcapng");
        final Path conn = dir.resolve("conn.log");
        final Generated truth = CaptureGenerator.generate(GeneratorSpec.defaults(8200)
            .withFormat(CaptureFileFormat.PCAPNG_LE).withLinkType(GeneratorSpec.MIXED_LINK_TYPES), capture, conn);
        final Set<Integer> linkTypes = truth.frames().stream().filter(f -> !f.uids().isEmpty())
            .map(TruthFrame::linkType).collect(Collectors.toCollection(TreeSet::new));
        assertTrue(linkTypes.size() > 1, "the connections' frames mix link types: " + linkTypes);
        final Path outputs = Files.createDirectory(dir.resolve("out"));
        final Path out = outputs.resolve("out.pcap");

        final Cli r = Cli.run("slice", capture.toString(), "--conn", conn.toString(), "--all", "-w", out.toString(),
            "--format", "pcap");

        assertEquals(ExitCode.USAGE.code(), r.exit(), r::toString);
        assertTrue(r.err().contains("scalpel: cannot write one pcap from frames of several link types " + linkTypes),
            r::toString);
        assertFalse(r.err().contains("\tat "), "no stack trace: " + r);
        try (Stream<Path> left = Files.list(outputs)) {
            assertEquals(List.of(), left.toList(), "neither out.pcap nor its temporary file is left");
        }
    }
}
