package io.scalpel.testdata;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Writes a synthetic capture, the Zeek conn.log describing it, and returns the ground truth:
 * which frame belongs to which connection. It is an oracle independent of the production code
 * (it imports nothing from {@code io.scalpel} outside this package).
 *
 * <p>Ground-truth rules, following Zeek (see DOMAIN-NOTES section 2):
 * <ul>
 *   <li>A connection's {@code ts} is the time of the first packet delivered to it, in capture
 *       order; for a fragmented datagram, the fragment that completes it (the last of its
 *       fragments in the file). Its duration runs to the last delivered packet, except for a TCP
 *       connection whose two endpoints both closed (each sent a FIN or an RST): Zeek stops its
 *       clock at the packet that closed the second one, and the packets after it (the last ACK,
 *       a FIN sent again, an RST), which lie in Zeek's tcp_close_delay, still belong to it and
 *       are counted. Earlier fragments of a first datagram lie before {@code ts}, by at most
 *       {@link #MAX_FRAGMENT_SPREAD_NANOS}.</li>
 *   <li>orig_pkts/resp_pkts count delivered packets: a fragmented datagram once; both copies of a
 *       packet seen on two VLANs.</li>
 *   <li>Every fragment frame belongs to its datagram's uid. Fragments are never cut by the
 *       snaplen (Zeek does not reassemble incompletely captured fragments).</li>
 *   <li>A truncating snaplen never cuts the link, IP (options, extension headers) or transport
 *       header of a connection frame.</li>
 *   <li>SPBs (pcapng) carry only ARP/LLDP noise: they have no timestamp
 *       ({@link TruthFrame#NO_TIMESTAMP}) and no uid.</li>
 *   <li>With unsorted timestamps, only frames strictly inside their connection are moved back in
 *       time, so the first/last delivered packet in file order is also the earliest/latest.</li>
 * </ul>
 */
public final class CaptureGenerator {
    /** How far before its connection's ts a fragment of the first datagram may lie. */
    public static final long MAX_FRAGMENT_SPREAD_NANOS = ScenarioPlanner.MAX_FRAGMENT_SPREAD_NANOS;
    /** Zeek's tcp_close_delay: how long a closed TCP connection still takes packets. */
    public static final long TCP_CLOSE_DELAY_NANOS = 5_000_000_000L;
    private static final int TCP_FIN = 0x01;
    private static final int TCP_RST = 0x04;

    private static final long WRITER_SEED_SALT = 0x5ca1_9e11_0000_0001L;

    private CaptureGenerator() {
    }

    /**
     * Writes {@code capture} and, when {@code connLog} is not null, the conn.log (Zeek TSV); returns
     * the truth. The same spec always produces the same bytes.
     */
    public static Generated generate(final GeneratorSpec spec, final Path capture, final Path connLog) throws IOException {
        final Random rng = new Random(spec.seed());
        final List<Lane> lanes = lanes(spec);
        final ScenarioPlanner planner = new ScenarioPlanner(spec, rng, lanes);
        planner.plan();

        final List<Emission> frames = new ArrayList<>(planner.emissions);
        frames.sort(Comparator.comparingLong((Emission e) -> e.tsNanos).thenComparingLong(e -> e.seq));
        markDelivered(frames);
        final Map<PlannedConn, Emission> closes = closingFrames(frames);
        if (spec.unsortedTimestamps()) {
            moveSomeTimestampsBack(frames, rng, closes);
        }
        final List<TruthConn> conns = connectionTruth(planner.conns, frames, closes);

        final Random writerRng = new Random(spec.seed() ^ WRITER_SEED_SALT);
        final List<TruthFrame> truthFrames = new ArrayList<>();
        final List<TruthBlock> blocks;
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(capture), 1 << 16)) {
            if (spec.format().isPcapng()) {
                blocks = new PcapngLayout(spec, lanes, writerRng, frames).write(out, truthFrames);
            } else {
                blocks = writePcap(spec, lanes.get(0), frames, out, truthFrames);
            }
        }
        final Generated generated = new Generated(truthFrames, conns, blocks);
        if (connLog != null) {
            generated.writeConnLog(connLog);
        }
        return generated;
    }

    static List<Lane> lanes(final GeneratorSpec spec) {
        final List<Lane> lanes = new ArrayList<>();
        final int linkType = spec.linkType();
        if (!spec.format().isPcapng()) {
            lanes.add(Lane.pcap(linkType, spec.format().isNanosecondPcap()));
            return lanes;
        }
        if (linkType != GeneratorSpec.MIXED_LINK_TYPES) {
            lanes.add(Lane.decimal(0, linkType, 6, false));
            lanes.add(Lane.decimal(1, linkType, 9, true));
            if (spec.pcapngExtras()) {
                lanes.add(Lane.binary(2, linkType, 20));
            }
            return lanes;
        }
        lanes.add(Lane.decimal(0, LinkFrames.LINKTYPE_ETHERNET, 6, false));
        lanes.add(Lane.decimal(1, LinkFrames.LINKTYPE_LINUX_SLL2, 9, true));
        lanes.add(Lane.binary(2, LinkFrames.LINKTYPE_IPV4, 20));
        lanes.add(Lane.decimal(3, LinkFrames.LINKTYPE_IPV6, 9, true));
        lanes.add(Lane.decimal(4, LinkFrames.LINKTYPE_NULL, 6, true));
        lanes.add(Lane.decimal(5, LinkFrames.LINKTYPE_LOOP, 7, true));
        lanes.add(Lane.decimal(6, LinkFrames.LINKTYPE_LINUX_SLL, 6, true));
        lanes.add(Lane.decimal(7, LinkFrames.LINKTYPE_FDDI, 9, true));
        lanes.add(Lane.binary(8, LinkFrames.LINKTYPE_RAW, 24));
        return lanes;
    }

    /** The last fragment of a datagram in file order completes (delivers) it; whole packets deliver themselves. */
    private static void markDelivered(final List<Emission> frames) {
        final Map<Integer, Emission> lastOfGroup = new HashMap<>();
        for (final Emission e : frames) {
            if (e.fragmentGroup >= 0) {
                lastOfGroup.put(e.fragmentGroup, e);
            } else {
                e.delivers = e.conn != null;
            }
        }
        for (final Emission e : lastOfGroup.values()) {
            e.delivers = true;
        }
    }

    /**
     * The frame that closed the second endpoint of each TCP connection whose endpoints both
     * closed, as Zeek's TCP analyzer sees it: in file order, an endpoint has closed once it sent
     * a FIN or an RST.
     */
    private static Map<PlannedConn, Emission> closingFrames(final List<Emission> frames) {
        final Map<PlannedConn, boolean[]> closed = new HashMap<>();
        final Map<PlannedConn, Emission> closing = new HashMap<>();
        for (final Emission e : frames) {
            if (!e.delivers || e.tcpFlags < 0 || (e.tcpFlags & (TCP_FIN | TCP_RST)) == 0 || closing.containsKey(e.conn)) {
                continue;
            }
            final boolean[] sides = closed.computeIfAbsent(e.conn, k -> new boolean[2]);
            sides[e.fromOrig ? 0 : 1] = true;
            if (sides[0] && sides[1]) {
                closing.put(e.conn, e);
            }
        }
        return closing;
    }

    /**
     * Gives a few frames a timestamp a little earlier than the frame before them. Only delivered,
     * unfragmented frames strictly between the first and last delivered packet of their
     * connection move (for a closed TCP connection, strictly before the frame that closed it),
     * and never to or before the first one.
     */
    private static void moveSomeTimestampsBack(final List<Emission> frames, final Random rng,
                                               final Map<PlannedConn, Emission> closes) {
        final Map<PlannedConn, Emission> first = new HashMap<>();
        final Map<PlannedConn, Emission> last = new HashMap<>();
        final java.util.Set<PlannedConn> closedSoFar = new java.util.HashSet<>();
        final java.util.Set<Emission> fixed = new java.util.HashSet<>();
        for (final Emission e : frames) {
            if (e.delivers) {
                first.putIfAbsent(e.conn, e);
                last.put(e.conn, e);
            }
            if (e.conn != null && closes.get(e.conn) == e) {
                closedSoFar.add(e.conn);
            }
            if (closedSoFar.contains(e.conn)) {
                fixed.add(e); // the closing frame and the close delay's frames keep their times
            }
        }
        final List<Integer> candidates = new ArrayList<>();
        for (int i = 1; i < frames.size(); i++) {
            final Emission e = frames.get(i);
            if (e.delivers && e.fragmentGroup < 0 && first.get(e.conn) != e && last.get(e.conn) != e && !fixed.contains(e)) {
                candidates.add(i);
            }
        }
        java.util.Collections.shuffle(candidates, rng);
        final int wanted = Math.max(3, frames.size() / 40);
        int moved = 0;
        for (final int i : candidates) {
            if (moved >= wanted) {
                break;
            }
            final Emission e = frames.get(i);
            final long previous = frames.get(i - 1).tsNanos;
            final long delta = rng.nextBoolean() ? 1_000 + rng.nextInt(20_000) : 100_000 + rng.nextInt(3_000_000);
            final long quantum = e.lane.quantumNanos;
            final long moveTo = Math.floorDiv(previous - delta, quantum) * quantum;
            if (moveTo >= previous || moveTo <= first.get(e.conn).tsNanos) {
                continue;
            }
            e.tsNanos = moveTo;
            moved++;
        }
    }

    private static List<TruthConn> connectionTruth(final List<PlannedConn> planned, final List<Emission> frames,
                                                   final Map<PlannedConn, Emission> closes) {
        final Map<PlannedConn, List<Emission>> inFileOrder = new HashMap<>();
        for (final Emission e : frames) {
            if (e.conn != null) {
                inFileOrder.computeIfAbsent(e.conn, k -> new ArrayList<>()).add(e);
            }
        }
        final List<TruthConn> conns = new ArrayList<>();
        for (final PlannedConn c : planned) {
            final List<Emission> own = inFileOrder.get(c);
            Emission firstDelivered = null;
            Emission lastDelivered = null;
            long origPkts = 0;
            long respPkts = 0;
            long origIpBytes = 0;
            long respIpBytes = 0;
            for (final Emission e : own) {
                if (!e.delivers) {
                    continue;
                }
                if (firstDelivered == null) {
                    firstDelivered = e;
                }
                lastDelivered = e;
                if (e.fromOrig) {
                    origPkts++;
                    origIpBytes += e.datagramIpBytes;
                } else {
                    respPkts++;
                    respIpBytes += e.datagramIpBytes;
                }
            }
            if (firstDelivered == null) {
                throw new IllegalStateException("connection " + c.uid + " delivers no packet");
            }
            final long ts = firstDelivered.tsNanos;
            final Emission close = closes.get(c);
            final long end = close != null ? close.tsNanos : lastDelivered.tsNanos;
            for (final Emission e : own) {
                final boolean inside = e.tsNanos >= ts && e.tsNanos <= end;
                final boolean earlyFragment = e.fragmentGroup >= 0 && e.tsNanos < ts
                    && e.tsNanos >= ts - MAX_FRAGMENT_SPREAD_NANOS;
                final boolean inCloseDelay = close != null && e.tsNanos > end && e.tsNanos < end + TCP_CLOSE_DELAY_NANOS;
                if (!inside && !earlyFragment && !inCloseDelay) {
                    throw new IllegalStateException("frame at " + e.tsNanos + " of " + c.uid + " lies outside ["
                        + ts + ", " + end + "]");
                }
            }
            conns.add(new TruthConn(c.uid, ts, end - ts, c.kind.zeekProto, c.kind.ipProto, AddressText.of(c.orig),
                c.origPort, AddressText.of(c.resp), c.respPort, firstDelivered.outerVlan(), firstDelivered.innerVlan(),
                origPkts, respPkts, c.origBytes, c.respBytes, origIpBytes, respIpBytes,
                c.kind.isIcmp() || c.kind.zeekProto.equals("unknown_transport") ? "OTH" : c.connState,
                c.history.toString()));
        }
        conns.sort(Comparator.comparingLong(TruthConn::tsNanos).thenComparing(TruthConn::uid));
        return conns;
    }

    private static List<TruthBlock> writePcap(final GeneratorSpec spec, final Lane lane, final List<Emission> frames,
                                              final OutputStream out, final List<TruthFrame> truth) throws IOException {
        final ByteOrder order = spec.format().byteOrder();
        final int snaplen = spec.effectiveSnaplen();
        final PcapFileWriter writer = new PcapFileWriter(out, order, spec.format().isNanosecondPcap(), snaplen,
            lane.linkType);
        int number = 0;
        for (final Emission e : frames) {
            number++;
            final byte[] data = LinkFrames.encode(lane.linkType, order, e.linkContext(), e.etherType, e.payload);
            final int captured = capturedLength(e, data, snaplen, number);
            final long offset = writer.record(number, e.tsNanos, data, captured);
            truth.add(truthFrame(number, offset, PcapFileWriter.RECORD_HEADER_LENGTH + captured, e.tsNanos, captured,
                data.length, e, 0, "pcap"));
        }
        return writer.blocks();
    }

    /** min(length, snaplen), checking that no header that must survive is cut. */
    static int capturedLength(final Emission e, final byte[] data, final int snaplen, final int number) {
        final int captured = snaplen == 0 ? data.length : Math.min(data.length, snaplen);
        final int needed = LinkFrames.headerLength(e.lane.linkType, e.linkContext()) + e.protectedLength;
        if (captured < needed) {
            throw new IllegalStateException("snaplen " + snaplen + " would cut the headers of frame " + number + " ("
                + needed + " header bytes)");
        }
        if (e.fragmentGroup >= 0 && captured < data.length) {
            throw new IllegalStateException("snaplen " + snaplen + " would cut fragment frame " + number);
        }
        return captured;
    }

    static TruthFrame truthFrame(final int number, final long offset, final int recordLength, final long ts,
                                 final int captured, final int original, final Emission e, final int interfaceId,
                                 final String recordType) {
        return new TruthFrame(number, offset, recordLength, ts, captured, original, e.lane.linkType,
            e.conn == null ? Set.of() : Set.of(e.conn.uid), e.proto, e.srcAddr, e.srcPort, e.dstAddr, e.dstPort,
            e.outerVlan(), e.innerVlan(), e.ipProto, e.fragmentGroup, interfaceId, recordType);
    }
}
