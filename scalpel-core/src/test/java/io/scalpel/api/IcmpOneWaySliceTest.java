package io.scalpel.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.scalpel.testing.CaptureBytes;
import io.scalpel.testing.ConnLogs;
import io.scalpel.testing.Frames;
import io.scalpel.zeek.ConnRecord;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Zeek keys a one-way ICMP message (destination unreachable, time exceeded, ... : a type without a
 * counterpart) by its source, type, destination and code in the direction it was sent, never
 * ordered both ways as it does two-way messages ({@code IPBasedConnKey::InitTuple} with
 * {@code is_one_way}, from {@code ICMPAnalyzer::InitConnKey}). So when two hosts send each other
 * port unreachables (type 3 code 3) in the same seconds, or ICMPv6 administratively prohibited
 * (type 1 code 1), those are two connections, one per direction. The oracle is that rule applied
 * to frames written here, each with the uid Zeek gives it; an echo exchange shows that two-way
 * messages still join both directions.
 */
class IcmpOneWaySliceTest {
    private static final long T0_MICROS = 1_750_000_000_000_000L;
    private static final byte[] A = Frames.bytes(10, 40, 0, 1);
    private static final byte[] B = Frames.bytes(10, 40, 0, 2);
    private static final byte[] C = Frames.bytes(0x20, 0x01, 0x0d, 0xb8, 0, 0x40, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1);
    private static final byte[] D = Frames.bytes(0x20, 0x01, 0x0d, 0xb8, 0, 0x40, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2);
    private static final int ICMP = 1;
    private static final int ICMPV6 = 58;

    @TempDir
    Path dir;

    private final CaptureBytes capture = CaptureBytes.pcapHeader(ByteOrder.LITTLE_ENDIAN, false, 65535, 1);
    private final Map<String, List<Long>> offsetsByUid = new LinkedHashMap<>();
    private final StringBuilder log = new StringBuilder("#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n"
        + "#unset_field\t-\n#path\tconn\n#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tduration"
        + "\torig_pkts\tresp_pkts\n#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tinterval\tcount\tcount\n");

    private void frame(final String uid, final long micros, final byte[] frame) {
        offsetsByUid.computeIfAbsent(uid, k -> new ArrayList<>()).add((long) capture.size());
        capture.pcapRecord(micros / 1_000_000, micros % 1_000_000, frame);
    }

    private void icmp4(final String uid, final long micros, final byte[] src, final byte[] dst, final int type, final int code) {
        frame(uid, micros, Frames.concat(Frames.ethernet(Frames.ETHERTYPE_IPV4),
            Frames.ipv4(ICMP, src, dst, Frames.ICMP_HEADER_LENGTH), Frames.icmp(type, code)));
    }

    private void icmp6(final String uid, final long micros, final byte[] src, final byte[] dst, final int type, final int code) {
        frame(uid, micros, Frames.concat(Frames.ethernet(Frames.ETHERTYPE_IPV6),
            Frames.ipv6(ICMPV6, src, dst, Frames.ICMP_HEADER_LENGTH), Frames.icmp(type, code)));
    }

    private void row(final String uid, final long micros, final long durationMicros, final String orig, final int origP,
                     final String resp, final int respP, final int pkts) {
        log.append(String.format(java.util.Locale.ROOT, "%d.%06d\t%s\t%s\t%d\t%s\t%d\ticmp\t%d.%06d\t%d\t0\n",
            micros / 1_000_000, micros % 1_000_000, uid, orig, origP, resp, respP,
            durationMicros / 1_000_000, durationMicros % 1_000_000, pkts));
    }

    @Test
    void shouldGiveEachDirectionOfAOneWayIcmpMessageItsOwnConnection() throws IOException {
        // B tells A its port is unreachable, A tells B the same, three times each in the same two seconds.
        for (int i = 0; i < 3; i++) {
            icmp4("CUnreachBA", T0_MICROS + 200 + i * 1_000_000L, B, A, 3, 3);
            icmp4("CUnreachAB", T0_MICROS + 300 + i * 1_000_000L, A, B, 3, 3);
        }
        row("CUnreachBA", T0_MICROS + 200, 2_000_000, "10.40.0.2", 3, "10.40.0.1", 3, 3);
        row("CUnreachAB", T0_MICROS + 300, 2_000_000, "10.40.0.1", 3, "10.40.0.2", 3, 3);
        // ICMPv6 destination unreachable, administratively prohibited (type 1 code 1), both ways.
        final long v6 = T0_MICROS + 5_000_000;
        for (int i = 0; i < 2; i++) {
            icmp6("CProhibitDC", v6 + i * 100_000L, D, C, 1, 1);
            icmp6("CProhibitCD", v6 + 50 + i * 100_000L, C, D, 1, 1);
        }
        row("CProhibitDC", v6, 100_000, "2001:db8:40::2", 1, "2001:db8:40::1", 1, 2);
        row("CProhibitCD", v6 + 50, 100_000, "2001:db8:40::1", 1, "2001:db8:40::2", 1, 2);
        // An echo request and its reply: a two-way type, one connection.
        final long echo = T0_MICROS + 9_000_000;
        icmp4("CEcho", echo, A, B, 8, 0);
        icmp4("CEcho", echo + 1_000, B, A, 0, 0);
        row("CEcho", echo, 1_000, "10.40.0.1", 8, "10.40.0.2", 0, 1);

        final Path pcap = capture.writeTo(dir.resolve("icmp.pcap"));
        final Path conn = dir.resolve("conn.log");
        Files.writeString(conn, log, StandardCharsets.UTF_8);
        final List<ConnRecord> rows = ConnLogs.readStrictly(conn);
        assertEquals(5, rows.size());
        try (Scalpel scalpel = Scalpel.open(pcap, Scalpel.Options.defaults().withIndex(dir.resolve("idx")))) {
            final Scalpel.Selection selection = scalpel.select(rows);
            for (int i = 0; i < rows.size(); i++) {
                final String uid = rows.get(i).uid();
                assertArrayEquals(offsetsByUid.get(uid).stream().mapToLong(Long::longValue).toArray(), selection.offsets(i), uid);
            }
        }
        // scalpel flows lists the same five connections, each direction of a one-way message apart.
        try (Captures captures = Captures.open(pcap, Scalpel.Options.defaults().withIndex(dir.resolve("idx")))) {
            final List<String> listed = Flows.list(captures, null, 0).stream()
                .map(r -> r.src() + ":" + r.srcPort() + ">" + r.dst() + ":" + r.dstPort() + "=" + r.packets()).sorted().toList();
            assertEquals(List.of("10.40.0.1:3>10.40.0.2:3=3", "10.40.0.1:8>10.40.0.2:0=2", "10.40.0.2:3>10.40.0.1:3=3",
                "2001:db8:40::1:1>2001:db8:40::2:1=2", "2001:db8:40::2:1>2001:db8:40::1:1=2"), listed);
        }
    }
}
