package io.scalpel.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scalpel.testdata.CaptureGenerator;
import io.scalpel.testdata.Generated;
import io.scalpel.testdata.GeneratorSpec;
import io.scalpel.testdata.TruthConn;
import io.scalpel.testing.ExternalTools;
import io.scalpel.testing.PcapFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code slice --bpf EXPR} keeps exactly the packets of the unnarrowed extract that tcpdump's own
 * filter keeps ({@code tcpdump -r extract -w - EXPR}): same packets, byte for byte, on a
 * generated capture with VLAN-tagged connections.
 */
@Tag("external")
class BpfSliceCommandTest {
    @TempDir
    Path dir;
    Path capture;
    Path conn;
    Generated truth;

    @BeforeEach
    void generate() throws IOException {
        ExternalTools.require(ExternalTools.TCPDUMP);
        ExternalTools.require(ExternalTools.LIBPCAP);
        capture = dir.resolve("cap.pcap");
        conn = dir.resolve("conn.log");
        truth = CaptureGenerator.generate(GeneratorSpec.defaults(31337).withConnections(40).withVlan(true), capture, conn);
    }

    @Test
    void shouldKeepWhatTcpdumpsFilterKeepsOfTheUidExtract() throws Exception {
        final Path all = slice("all.pcap", "--conn", conn.toString(), "--all");
        final TruthConn tcp = truth.conns().stream().filter(c -> "tcp".equals(c.proto()) && c.vlan() < 0).findFirst().orElseThrow();
        final TruthConn tagged = truth.conns().stream().filter(c -> "tcp".equals(c.proto()) && c.vlan() >= 0 && c.innerVlan() < 0)
            .findFirst().orElseThrow();
        final List<String> expressions = List.of("tcp", "udp", "vlan and udp", "tcp and not vlan",
            "tcp port " + tcp.respP(), "host " + tcp.origH() + " and (vlan or not vlan)",
            "vlan " + tagged.vlan() + " and tcp port " + tagged.respP());

        for (String expression : expressions) {
            assertSameAsTcpdump(all, expression, "--conn", conn.toString(), "--all");
        }
    }

    @Test
    void shouldNarrowAWindowQueryAndOneUid() throws Exception {
        final long from = truth.firstTsNanos();
        final long to = from + (truth.lastTsNanos() - from) / 2;
        final String[] window = {"--from", seconds(from), "--to", seconds(to)};
        final Path windowed = slice("window.pcap", window);
        assertSameAsTcpdump(windowed, "udp or icmp", window);

        final TruthConn tcp = truth.conns().stream().filter(c -> "tcp".equals(c.proto()) && c.pkts() > 3).findFirst().orElseThrow();
        final String[] uid = {"--conn", conn.toString(), "--uid", tcp.uid()};
        final Path one = slice("one.pcap", uid);
        assertSameAsTcpdump(one, "tcp[tcpflags] & tcp-syn != 0 or vlan and tcp[tcpflags] & tcp-syn != 0", uid);
    }

    @Test
    void shouldReportAUidWhosePacketsTheFilterDropsAll() throws IOException {
        final TruthConn tcp = truth.conns().stream().filter(c -> "tcp".equals(c.proto())).findFirst().orElseThrow();
        final Path out = dir.resolve("none.pcap");

        final Cli r = Cli.run("slice", capture.toString(), "--conn", conn.toString(), "--uid", tcp.uid(), "--bpf", "udp",
            "-w", out.toString());

        assertEquals(ExitCode.NOTHING_FOUND.code(), r.exit(), r::toString);
        assertTrue(r.err().contains("scalpel: uid " + tcp.uid() + " (no packets in " + capture + " that --bpf accepts)"), r::toString);
        assertFalse(Files.exists(out));
    }

    @Test
    void shouldExitWithUsageForAnInvalidExpressionQuotingLibpcap() {
        final Cli r = Cli.run("slice", capture.toString(), "--conn", conn.toString(), "--all", "--bpf", "tcp prot 80",
            "-w", dir.resolve("o.pcap").toString());

        assertEquals(ExitCode.USAGE.code(), r.exit(), r::toString);
        assertTrue(r.err().startsWith("scalpel: --bpf 'tcp prot 80' is invalid: libpcap: "), r::toString);
        assertTrue(r.err().contains("syntax error"), r::toString);
        assertFalse(Files.exists(dir.resolve("o.pcap")));
        assertFalse(Files.exists(dir.resolve("cap.pcap.scalpel")), "refused before indexing");
    }

    @Tag("e2e")
    @Test
    void shouldExitWithUsageSayingToInstallLibpcapWhenItCannotBeLoaded() throws Exception {
        final Path stdout = dir.resolve("stdout");
        final Path stderr = dir.resolve("stderr");
        final List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            ChildJvm.MAX_HEAP, "-Dorg.pcap4j.core.pcapLibName=" + dir.resolve("no-such-libpcap.so"),
            "-cp", System.getProperty("java.class.path"), ScalpelCommand.class.getName(),
            "slice", capture.toString(), "--from", "0", "--bpf", "tcp", "-w", dir.resolve("o.pcap").toString()));
        final Process p = new ProcessBuilder(command).redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the child JVM finished");
        final String err = Files.readString(stderr);

        assertEquals(ExitCode.USAGE.code(), p.exitValue(), err);
        assertTrue(err.startsWith("scalpel: --bpf: BPF filters need the native libpcap, which could not be loaded ("), err);
        assertTrue(err.contains("install it (Debian/Ubuntu: apt-get install libpcap0.8"), err);
        assertFalse(Files.exists(dir.resolve("o.pcap")));
    }

    /** {@code scalpel slice CAPTURE ARGS --bpf EXPR} vs {@code tcpdump -r unnarrowed -w - EXPR}: same records, byte for byte. */
    private void assertSameAsTcpdump(final Path unnarrowed, final String expression, final String... args) throws Exception {
        final Path byTcpdump = dir.resolve("tcpdump.pcap");
        ExternalTools.run(List.of(ExternalTools.executable(ExternalTools.TCPDUMP).orElseThrow().toString(), "-r", unnarrowed.toString(),
            "-w", byTcpdump.toString(), expression));
        final PcapFile expected = PcapFile.read(byTcpdump);
        assertFalse(expected.records.isEmpty(), () -> "tcpdump keeps some packets of " + unnarrowed + " for '" + expression + "'");
        assertTrue(expected.records.size() < PcapFile.read(unnarrowed).records.size() || expression.contains("or not vlan"),
            () -> "'" + expression + "' narrows " + unnarrowed);

        final Path narrowed = slice("narrowed.pcap", concat(args, "--bpf", expression));

        final byte[] mine = Files.readAllBytes(narrowed);
        final byte[] theirs = Files.readAllBytes(byTcpdump);
        assertEquals(expected.records.size(), PcapFile.read(narrowed).records.size(), "packets for '" + expression + "'");
        assertArrayEquals(Arrays.copyOfRange(theirs, PcapFile.FILE_HEADER_LENGTH, theirs.length),
            Arrays.copyOfRange(mine, PcapFile.FILE_HEADER_LENGTH, mine.length), "records for '" + expression + "'");
    }

    private Path slice(final String name, final String... args) {
        final Path out = dir.resolve(name);
        final List<String> all = new ArrayList<>(List.of("slice", capture.toString()));
        all.addAll(List.of(args));
        all.addAll(List.of("-w", out.toString()));
        final Cli r = Cli.run(all.toArray(new String[0]));
        assertEquals(ExitCode.OK.code(), r.exit(), () -> String.join(" ", all) + "\n" + r);
        return out;
    }

    private static String[] concat(final String[] a, final String... b) {
        final String[] all = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    private static String seconds(final long nanos) {
        return new java.math.BigDecimal(nanos).movePointLeft(9).toPlainString();
    }

}
