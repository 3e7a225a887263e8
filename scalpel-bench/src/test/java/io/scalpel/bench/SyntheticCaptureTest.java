package io.scalpel.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scalpel.capture.CaptureFormat;
import io.scalpel.testing.ConnLogs;
import io.scalpel.testing.ExternalTools;
import io.scalpel.zeek.ConnRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The benchmark generator's captures and conn.logs, checked with libpcap (through tcpdump): the
 * pcap and the pcapng of one seed hold the same frames, and each conn.log row counts exactly the
 * frames that tcpdump's 5-tuple filter (under its VLAN tag, if any) finds.
 */
@Tag("external")
class SyntheticCaptureTest {
    private static final int PACKETS = 3000;
    private static final int ROWS_CHECKED = 12;

    @TempDir
    Path dir;

    @Test
    void shouldWriteTheSameFramesAsPcapAndPcapngWithConnLogRowsThatCountThem() throws Exception {
        ExternalTools.require(ExternalTools.TCPDUMP);
        final Path pcap = dir.resolve("s.pcap");
        final Path pcapng = dir.resolve("s.pcapng");
        final Path tsv = dir.resolve("conn.log");
        final Path json = dir.resolve("conn.json");
        final SyntheticCapture.Spec spec = SyntheticCapture.Spec.defaults().withPackets(PACKETS).withSeed(3);
        final SyntheticCapture.Written w = SyntheticCapture.write(pcap, spec.withConnLog(tsv).withConnLogJson(json));
        SyntheticCapture.write(pcapng, spec.withFormat(CaptureFormat.PCAPNG));
        assertEquals(PACKETS, w.packets());
        assertEquals(Files.size(pcap), w.bytes());

        final String fromPcap = tcpdump(pcap, "-tt", "-n", "-xx");
        final String fromPcapng = tcpdump(pcapng, "-tt", "-n", "-xx");
        assertEquals(PACKETS, fromPcap.lines().filter(l -> !l.startsWith("\t")).count(), "frames libpcap reads from the pcap");
        assertEquals(fromPcap, fromPcapng, "libpcap's reading of the pcapng (timestamps and bytes) differs from the pcap's");

        final List<ConnRecord> rows = ConnLogs.readStrictly(tsv);
        final List<ConnRecord> jsonRows = ConnLogs.readStrictly(json);
        assertEquals(w.flows(), rows.size());
        ConnLogAssertions.assertSameRows(rows, jsonRows);
        long counted = 0;
        for (ConnRecord t : rows) {
            counted += t.origPkts() + t.respPkts();
        }
        assertEquals(PACKETS, counted, "frames counted by the conn.log rows");

        int tagged = 0;
        int checked = 0;
        for (ConnRecord r : rows) {
            if (!"tcp".equals(r.proto()) && !"udp".equals(r.proto()) || checked >= ROWS_CHECKED && (tagged > 0 || r.vlan() < 0)) {
                continue;
            }
            final String filter = ConnLogAssertions.fiveTupleFilter(r);
            assertEquals(r.origPkts() + r.respPkts(), tcpdump(pcap, "-n", filter).lines().count(), r.uid() + ": " + filter);
            checked++;
            if (r.vlan() >= 0) {
                tagged++;
            }
        }
        assertTrue(tagged > 0 && checked > ROWS_CHECKED / 2, "checked " + checked + " rows, " + tagged + " of them tagged");
    }

    private static String tcpdump(final Path capture, final String... args) throws IOException, InterruptedException {
        final List<String> command = new ArrayList<>(List.of("tcpdump", "-r", capture.toString()));
        command.addAll(List.of(args));
        return ExternalTools.run(command);
    }

}
