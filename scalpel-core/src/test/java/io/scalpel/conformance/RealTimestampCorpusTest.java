package io.scalpel.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.scalpel.api.Scalpel;
import io.scalpel.testing.ConnLogs;
import io.scalpel.testing.ExternalTools;
import io.scalpel.zeek.ConnRecord;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Zeek's baselines mask {@code ts}, so slicing them takes every frame of a 5-tuple and cannot
 * show where a connection ends. Here each baseline row gets the {@code ts} it would have in a
 * real log: the time of the first frame of its 5-tuple in the trace, as tshark reads it (an
 * oracle independent of scalpel), with the {@code duration} Zeek logged. Sliced through the
 * product's own log reader, every uid must then get exactly the frames the masked row gets
 * (the whole flow, as each key is used once in these traces), whatever its ending; and on
 * ssh.pcap, where every connection closes normally, exactly {@code orig_pkts + resp_pkts}.
 * A window that ended at {@code ts + duration} lost the last ACK of every closed connection:
 * 1 756 of ssh.pcap's 1 797 packets.
 */
@Tag("corpus")
@Tag("external")
class RealTimestampCorpusTest {
    private static final String SSH_TRACE = "zeek/traces/ssh/ssh.pcap";

    @TempDir
    Path dir;

    @Test
    void shouldSliceEveryConnectionOfARealLogAsZeekCountedIt() throws Exception {
        final Path corpus = Path.of(System.getProperty("scalpel.shared.dir", "../shared")).resolve("corpus").normalize();
        final Path expectedTsv = corpus.resolve("zeek/expected.tsv");
        assumeTrue(Files.isRegularFile(expectedTsv), () -> "skipped: Zeek baselines " + expectedTsv + " are absent");
        ExternalTools.require(ExternalTools.TSHARK);
        final Map<String, List<BaselineRow>> byBaseline = new LinkedHashMap<>();
        for (BaselineRow r : BaselineRow.readAll(expectedTsv)) {
            byBaseline.computeIfAbsent(r.baseline() + " " + r.trace(), k -> new ArrayList<>()).add(r);
        }
        int traces = 0;
        int rows = 0;
        int sshRows = 0;
        for (List<BaselineRow> log : byBaseline.values()) {
            if (!eligible(log)) {
                continue;
            }
            final Path trace = corpus.resolve(log.get(0).trace());
            final Map<String, String> firstFrame = firstFrameTimes(trace);
            final Path real = dir.resolve("real-" + traces + ".log");
            final Path masked = dir.resolve("masked-" + traces + ".log");
            if (!writeLogs(log, firstFrame, real, masked)) {
                continue;
            }
            traces++;
            final List<ConnRecord> realRows = ConnLogs.readStrictly(real);
            final List<ConnRecord> maskedRows = ConnLogs.readStrictly(masked);
            try (Scalpel s = Scalpel.open(trace, Scalpel.Options.defaults().withIndex(dir.resolve("idx-" + traces)))) {
                final Scalpel.Selection withTs = s.select(realRows);
                final Scalpel.Selection whole = s.select(maskedRows);
                for (int i = 0; i < realRows.size(); i++) {
                    rows++;
                    final String what = log.get(0).baseline() + " " + realRows.get(i).uid();
                    assertEquals(whole.offsets(i).length, withTs.offsets(i).length, what + ": real ts against the whole flow");
                    if (log.get(0).trace().equals(SSH_TRACE)) {
                        sshRows++;
                        assertEquals(log.get(i).zeekPackets(), withTs.offsets(i).length, what + ": orig_pkts + resp_pkts");
                    }
                }
            }
        }
        assertTrue(sshRows >= 20, "ssh.pcap's connections were judged: " + sshRows);
        assertTrue(traces >= 10 && rows >= 100, "traces " + traces + ", rows " + rows);
    }

    /** A baseline whose rows are TCP or UDP with counts and a 5-tuple each used once, none tunnelled. */
    private static boolean eligible(final List<BaselineRow> log) {
        final java.util.Set<String> keys = new java.util.HashSet<>();
        for (BaselineRow r : log) {
            final String a = r.get("orig_h") + "/" + r.get("orig_p");
            final String b = r.get("resp_h") + "/" + r.get("resp_p");
            final String key = r.get("proto") + " " + (a.compareTo(b) < 0 ? a + " " + b : b + " " + a);
            final boolean tsMasked = !r.get("ts").matches("\\d+(\\.\\d+)?");
            if (r.get("orig_h").equals("-") || r.get("resp_h").equals("-") || !r.get("orig_p").matches("\\d+")
                || !r.get("resp_p").matches("\\d+") || !r.hasPacketCounts() || !keys.add(key) || !tsMasked
                || !(r.get("proto").equals("tcp") || r.get("proto").equals("udp"))
                || !(r.get("tunnel_parents").equals("-") || r.get("tunnel_parents").equals("(empty)"))) {
                return false;
            }
        }
        return true;
    }

    /** The epoch time tshark gives the first frame of each TCP/UDP endpoint pair ("a/p b/p", sorted). */
    private static Map<String, String> firstFrameTimes(final Path trace) throws IOException, InterruptedException {
        final String out = ExternalTools.run(List.of("tshark", "-r", trace.toString(), "-T", "fields", "-E", "separator=/t",
            "-e", "frame.time_epoch", "-e", "ip.src", "-e", "ipv6.src", "-e", "tcp.srcport", "-e", "udp.srcport",
            "-e", "ip.dst", "-e", "ipv6.dst", "-e", "tcp.dstport", "-e", "udp.dstport"));
        final Map<String, String> first = new HashMap<>();
        for (String line : out.split("\n")) {
            final String[] f = line.split("\t", -1);
            if (f.length < 9) {
                continue;
            }
            final String src = last(f[1], f[2]) + "/" + last(f[3], f[4]);
            final String dst = last(f[5], f[6]) + "/" + last(f[7], f[8]);
            first.putIfAbsent(src.compareTo(dst) < 0 ? src + " " + dst : dst + " " + src, f[0]);
        }
        return first;
    }

    /** The innermost of a tshark field's values (tunnelled frames list every layer), from the first field that has one. */
    private static String last(final String a, final String b) {
        final String v = a.isEmpty() ? b : a;
        return v.substring(v.lastIndexOf(',') + 1);
    }

    /** Writes the rows as a Zeek TSV log with real and with masked ts; false when a row's 5-tuple is not in the trace. */
    private static boolean writeLogs(final List<BaselineRow> log, final Map<String, String> firstFrame, final Path real,
                                     final Path masked) throws IOException {
        final String header = "#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#path\tconn\n"
            + "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tduration\torig_pkts\tresp_pkts\n"
            + "#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tinterval\tcount\tcount\n";
        final StringBuilder withTs = new StringBuilder(header);
        final StringBuilder withoutTs = new StringBuilder(header);
        for (BaselineRow r : log) {
            final String a = r.get("orig_h") + "/" + r.get("orig_p");
            final String b = r.get("resp_h") + "/" + r.get("resp_p");
            final String ts = firstFrame.get(a.compareTo(b) < 0 ? a + " " + b : b + " " + a);
            if (ts == null) {
                return false;
            }
            final String rest = "\t" + String.join("\t", r.uid(), r.get("orig_h"), r.get("orig_p"), r.get("resp_h"),
                r.get("resp_p"), r.get("proto"), r.get("duration"), r.get("orig_pkts"), r.get("resp_pkts")) + "\n";
            withTs.append(ts).append(rest);
            withoutTs.append("XXXXXXXXXX.XXXXXX").append(rest);
        }
        Files.writeString(real, withTs, StandardCharsets.UTF_8);
        Files.writeString(masked, withoutTs, StandardCharsets.UTF_8);
        return true;
    }
}
