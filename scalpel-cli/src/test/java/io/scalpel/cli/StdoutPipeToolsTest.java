package io.scalpel.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.scalpel.testdata.CaptureFileFormat;
import io.scalpel.testdata.CaptureGenerator;
import io.scalpel.testdata.Generated;
import io.scalpel.testdata.GeneratorSpec;
import io.scalpel.testdata.TruthConn;
import io.scalpel.testing.ExternalTools;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code slice -w -} in a shell pipeline: the scalpel command (a JVM of its own, 256 MiB heap)
 * streams the extract into {@code tcpdump -r -} and {@code tshark -r -} through an OS pipe, and
 * each reads as many packets as the generator's ground truth gives the uids, for pcap and pcapng
 * output.
 */
@Tag("e2e")
@Tag("external")
class StdoutPipeToolsTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(value = CaptureFileFormat.class, names = {"PCAP_USEC_LE", "PCAPNG_LE"})
    void shouldStreamAnExtractThatTcpdumpAndTsharkReadFromAPipe(final CaptureFileFormat format) throws Exception {
        ExternalTools.require(ExternalTools.TCPDUMP);
        ExternalTools.require(ExternalTools.TSHARK);
        final Path capture = dir.resolve("cap." + format.extension());
        final Path conn = dir.resolve("conn.log");
        final Generated truth = CaptureGenerator.generate(GeneratorSpec.defaults(610 + format.ordinal()).withFormat(format),
            capture, conn);
        final List<String> uids = truth.conns().stream().map(TruthConn::uid).limit(8).toList();
        final TreeSet<Integer> frames = new TreeSet<>();
        uids.forEach(u -> frames.addAll(truth.framesOf(u)));
        // Index first, so that the piped runs print nothing but the extract's bytes.
        assertEquals(ExitCode.OK.code(), Cli.run("index", "-q", capture.toString()).exit());
        final List<String> slice = scalpel("slice", capture.toString(), "--conn", conn.toString(), "--uid", String.join(",", uids),
            "-w", "-");

        final String tcpdump = ExternalTools.executable(ExternalTools.TCPDUMP).orElseThrow().toString();
        final List<String> byTcpdump = pipe(slice, List.of(tcpdump, "-nn", "-q", "-r", "-"), "tcpdump");
        final List<String> tshark = new ArrayList<>(List.of("tshark", "-n", "-r", "-", "-T", "fields", "-e", "frame.number"));
        if (format.isPcapng()) {
            // tshark 4.0 lists the copyable custom blocks an extract keeps as frames without an interface.
            tshark.addAll(List.of("-Y", "frame.interface_id"));
        }
        final List<String> byTshark = pipe(slice, tshark, "tshark");

        assertEquals(frames.size(), byTcpdump.size(), "packets tcpdump read from the pipe:\n" + String.join("\n", byTcpdump));
        assertEquals(frames.size(), byTshark.size(), "packets tshark read from the pipe");
    }

    /** The scalpel command as its own JVM with the CLI tests' heap, on the test's class path. */
    private static List<String> scalpel(final String... args) {
        final List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            ChildJvm.MAX_HEAP, "-cp", System.getProperty("java.class.path"), ScalpelCommand.class.getName()));
        command.addAll(List.of(args));
        return command;
    }

    /** Runs {@code first | second} through an OS pipe; the non-blank lines {@code second} printed on stdout. */
    private List<String> pipe(final List<String> first, final List<String> second, final String name) throws Exception {
        final Path firstErr = dir.resolve(name + "-scalpel.err");
        final Path secondErr = dir.resolve(name + ".err");
        final List<Process> processes = ProcessBuilder.startPipeline(List.of(
            new ProcessBuilder(first).redirectError(firstErr.toFile()),
            new ProcessBuilder(second).redirectError(secondErr.toFile())));
        final String out;
        try (var stdout = processes.get(1).getInputStream()) {
            out = new String(stdout.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertEquals(0, processes.get(0).waitFor(), () -> "scalpel: " + read(firstErr));
        assertEquals(0, processes.get(1).waitFor(), () -> name + ": " + read(secondErr));
        return out.lines().filter(l -> !l.isBlank()).toList();
    }

    private static String read(final Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return e.toString();
        }
    }
}
