package io.scalpel.decode;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.scalpel.capture.CaptureReader;
import io.scalpel.capture.Frame;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Real captures of the encapsulations the decoder unwraps, from the Zeek and tcpdump test
 * suites, against tshark. The expected counts are frames with an IP header as tshark sees them,
 * from {@code tshark -r TRACE -Y "ip or ipv6" -T fields -e frame.number | wc -l}; the keys are
 * tshark's addresses, ports and protocol of one frame, from
 * {@code tshark -r TRACE -Y "frame.number==N" -T fields -e ip.src -e ipv6.src -e tcp.srcport -e udp.srcport ...}.
 */
@Tag("corpus")
class DecoderCorpusTest {

    private static Path corpus() {
        final String dir = System.getProperty("scalpel.shared.dir");
        final Path corpus = dir == null ? null : Path.of(dir).resolve("corpus");
        Assumptions.assumeTrue(corpus != null && Files.isDirectory(corpus),
            "shared corpus absent (scalpel.shared.dir=" + dir + "): skipping the encapsulation traces");
        return corpus;
    }

    /** Every frame's innermost key as text, or its status when it has none. */
    private static List<String> decodeAll(final Path trace) throws IOException {
        final List<String> keys = new ArrayList<>();
        final PacketDecoder decoder = new PacketDecoder();
        final DecodedPacket out = new DecodedPacket();
        final Frame frame = new Frame();
        try (CaptureReader reader = CaptureReader.open(trace)) {
            while (reader.next(frame)) {
                decoder.decode(frame.linkType(), frame.buffer(), frame.dataOffset(), frame.capturedLength(), out);
                keys.add(out.layerCount() > 0 ? out.layer(0).toString() : "status " + out.status());
            }
        }
        return keys;
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        // trace                                   | frames with IP | frame | its outermost key (tshark)
        "zeek/traces/mpls-in-vlan.pcap              | 3   | 1  | 65.65.65.65:19244 > 65.65.65.65:80 proto 6",
        "zeek/traces/mixed-vlan-mpls.pcap           | 47  | 47 | 10.0.0.15:80 > 10.20.80.1:50343 proto 6",
        "zeek/traces/pppoe.pcap                     | 25  | 36 | fe80::ce05:eff:fe88:0:546 > ff02::1:2:547 proto 17",
        "zeek/traces/pppoe-over-qinq.pcap           | 86  | 86 | 2.2.2.2:443 > 1.1.1.1:20394 proto 6",
        "zeek/traces/pbb.pcap                       | 10  | 5  | 10.199.249.11:49601 > 10.199.249.12:49416 proto 6",
        "zeek/traces/vntag.pcap                     | 3   | 1  | 1.1.1.1:0 > 1.1.2.1:0 proto 253",
        "zeek/traces/vntag_vlan_sandwich_clean.pcap | 1   | 1  | 10.10.10.1:443 > 10.10.10.2:56960 proto 6",
        "zeek/traces/cisco-fabric-path.pcap         | 128 | 2  | 1.1.1.6:57005 > 2.2.2.2:48879 proto 17",
        "zeek/traces/cisco-fabric-path.pcap         | 128 | 64 | 1234::2:57005 > 5678:::48879 proto 6",
        "tcpdump/mpls-traceroute.pcap               | 18  | 1  | 12.4.4.4:42315 > 12.1.1.1:33435 proto 17",
        "tcpdump/mpls-traceroute.pcap               | 18  | 17 | 12.4.4.4:42315 > 12.1.1.1:33443 proto 17",
        "zeek/traces/nflog-http.pcap                | 13  | 1  | 10.0.2.15:49762 > 93.184.216.34:80 proto 6",
        "zeek/traces/nflog-http.pcap                | 13  | 13 | 10.0.2.15:49762 > 93.184.216.34:80 proto 6",
        "tcpdump/nflog.pcap                         | 4   | 1  | 74.82.42.42:53 > 10.0.0.20:42585 proto 17",
        "tcpdump/nflog.pcap                         | 4   | 4  | 74.82.42.42:53 > 10.0.0.20:48736 proto 17",
        "zeek/traces/radiotap.pcap                  | 3   | 1  | 172.17.156.76:61738 > 208.67.220.220:53 proto 17",
        "zeek/traces/radiotap.pcap                  | 3   | 3  | fe80::a667:6ff:fef7:ec54:5353 > ff02::fb:5353 proto 17",
        "zeek/traces/wlanmon.pcap                   | 3   | 2  | 208.67.220.220:53 > 172.17.156.76:61738 proto 17",
    })
    void shouldDecodeAsManyIpFramesAsTsharkWithTheSameKeys(final String trace, final int ipFrames,
                                                           final int frameNumber, final String key) throws IOException {
        final Path file = corpus().resolve(trace);
        Assumptions.assumeTrue(Files.isRegularFile(file), file + " absent");
        final List<String> keys = decodeAll(file);
        assertEquals(ipFrames, keys.stream().filter(k -> !k.startsWith("status ")).count(), trace + ": " + keys);
        assertEquals(key, keys.get(frameNumber - 1), trace + " frame " + frameNumber);
    }
}
