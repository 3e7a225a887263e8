package io.scalpel.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.scalpel.capture.CaptureReader;
import io.scalpel.capture.Frame;
import io.scalpel.decode.Addresses;
import io.scalpel.slice.FlowQuery;
import io.scalpel.testing.ExternalTools;
import io.scalpel.zeek.ConnRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Zeek's {@code core.tunnels.gtp.outer_ip_frag}: GTP-U over IPv4 whose larger datagrams are
 * fragmented. Zeek reassembles the outer datagrams and counts 68 packets in the inner TCP
 * connection; its slice must hold every fragment of every outer datagram that carries it, which
 * tshark tells: the frames of the 68 datagrams it dissects to the connection after reassembly,
 * the fragments it reassembled them from, and the first fragments of the datagrams that never
 * complete (tshark dissects those without reassembly).
 */
@Tag("corpus")
@Tag("external")
class GtpOuterFragmentCorpusTest {
    private static final String TEST = "core.tunnels.gtp.outer_ip_frag";
    private static final String INNER = "ClEkJM2Vm5giqnMf4h";
    private static final String OUTER = "CHhAvVGS1DHFjwGM9";

    @TempDir
    Path indexes;

    @Test
    void shouldSliceEveryFragmentOfTheOuterDatagramsIntoTheInnerConnection() throws Exception {
        final Path corpus = Path.of(System.getProperty("scalpel.shared.dir", "../shared")).resolve("corpus").normalize();
        final Path tsv = corpus.resolve("zeek/expected.tsv");
        assumeTrue(Files.isRegularFile(tsv), () -> "skipped: Zeek baselines " + tsv + " are absent");
        if (!ExternalTools.isAvailable(ExternalTools.TSHARK)) {
            ExternalTools.require(ExternalTools.TSHARK); // fails on CI
        }
        final List<String> lines = Files.readAllLines(tsv);
        final List<String> header = List.of(lines.get(0).split("\t"));
        final Map<String, Map<String, String>> rows = new HashMap<>();
        for (String line : lines.subList(1, lines.size())) {
            final String[] f = line.split("\t", -1);
            if (f[0].equals(TEST)) {
                final Map<String, String> row = new HashMap<>();
                for (int i = 0; i < header.size(); i++) {
                    row.put(header.get(i), f[i]);
                }
                rows.put(row.get("uid"), row);
            }
        }
        assumeTrue(rows.containsKey(INNER) && rows.containsKey(OUTER), "skipped: no " + TEST + " rows in " + tsv);
        final Path trace = corpus.resolve(rows.get(INNER).get("trace"));
        assumeTrue(Files.isRegularFile(trace), () -> "skipped: " + trace + " is absent");

        final Map<String, String> inner = rows.get(INNER);
        final String filter = String.format("ip.addr == %s && ip.addr == %s && tcp.port == %s && tcp.port == %s",
            inner.get("orig_h"), inner.get("resp_h"), inner.get("orig_p"), inner.get("resp_p"));
        // After reassembly: one line per datagram, with the frames it was reassembled from.
        final TreeSet<Integer> expected = new TreeSet<>();
        int datagrams = 0;
        for (String line : ExternalTools.run(List.of("tshark", "-r", trace.toString(), "-o", "ip.defragment:TRUE", "-Y", filter,
            "-T", "fields", "-e", "frame.number", "-e", "ip.fragment")).lines().filter(l -> !l.isBlank()).toList()) {
            datagrams++;
            final String[] f = line.split("\t", -1);
            expected.add(Integer.parseInt(f[0]));
            if (f.length > 1 && !f[1].isBlank()) {
                for (String n : f[1].split(",")) {
                    expected.add(Integer.parseInt(n.trim()));
                }
            }
        }
        assertEquals(Long.parseLong(inner.get("orig_pkts")) + Long.parseLong(inner.get("resp_pkts")), datagrams,
            "tshark's reassembled datagrams of the connection are Zeek's packets");
        // Without reassembly: whole datagrams and first fragments, incomplete datagrams' included.
        ExternalTools.run(List.of("tshark", "-r", trace.toString(), "-o", "ip.defragment:FALSE", "-Y", filter,
            "-T", "fields", "-e", "frame.number")).lines().filter(l -> !l.isBlank()).forEach(l -> expected.add(Integer.parseInt(l.trim())));

        final Map<Long, Integer> numbers = new HashMap<>();
        int frames = 0;
        try (CaptureReader reader = CaptureReader.open(trace)) {
            final Frame frame = new Frame();
            while (reader.next(frame)) {
                numbers.put(frame.recordOffset(), ++frames);
            }
        }
        assertEquals(frames, expected.size(), "tshark: every frame of the trace carries the inner connection");
        assertEquals(108, frames, "frames of the trace");
        try (Scalpel scalpel = Scalpel.open(trace, Scalpel.Options.defaults().withIndex(indexes.resolve("gtp.scalpel")))) {
            for (String uid : List.of(INNER, OUTER)) {
                final long[] offsets = scalpel.selectQueries(List.of(io.scalpel.slice.Query.of(record(rows.get(uid)), false, 0))).offsets(0);
                final TreeSet<Integer> got = new TreeSet<>();
                for (long o : offsets) {
                    got.add(numbers.get(o));
                }
                assertEquals(expected, got, uid + ": frame numbers sliced vs tshark's");
            }
        }
    }

    private static ConnRecord record(final Map<String, String> row) {
        final Addresses.Parsed orig = Addresses.parse(row.get("orig_h"));
        final Addresses.Parsed resp = Addresses.parse(row.get("resp_h"));
        return new ConnRecord(row.get("uid"), 0, ConnRecord.NO_TIMESTAMP, 0, row.get("proto"),
            Integer.parseInt(row.get("ip_proto")), orig.ipVersion(),
            orig.hi(), orig.lo(), Integer.parseInt(row.get("orig_p")), resp.hi(), resp.lo(), Integer.parseInt(row.get("resp_p")),
            ConnRecord.UNSET, ConnRecord.UNSET, null, List.of(),
            Long.parseLong(row.get("orig_pkts")), Long.parseLong(row.get("resp_pkts")));
    }
}
