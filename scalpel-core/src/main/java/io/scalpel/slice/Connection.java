package io.scalpel.slice;

import io.scalpel.index.FlowFacts;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One connection as Zeek would split a flow key's frames ({@link Slicer#connections}): the frames
 * of a key (5-tuple, plus VLAN tags when VLAN-aware, at one tunnel depth) up to a gap longer than
 * Zeek's inactivity timeout ({@link FlowFacts#inactivityTimeoutNanos}), or up to a SYN without ACK once a
 * TCP connection is past its first SYN (Zeek's connection reuse: a new initial SYN on the key, not
 * a retransmission of the first). The source is the first frame's.
 *
 * @param ipVersion    4 or 6
 * @param protocol     IP protocol number of the layer
 * @param srcHi        source address (the first frame's), high half
 * @param srcLo        low half (IPv4 in the low 32 bits)
 * @param srcPort      its port, ICMP type; 0 for protocols without ports
 * @param dstHi        destination address, high half
 * @param dstLo        low half
 * @param dstPort      its port, ICMP counterpart type or code
 * @param vlan         outer VLAN id of the first frame, -1 untagged
 * @param innerVlan    inner VLAN id, -1 none
 * @param depth        tunnel depth of the key: 0 innermost, 1 the layer around it, ...
 * @param firstTs      join time of the first frame, ns
 * @param lastTs       join time of the last frame, ns
 * @param packets      frames
 * @param bytes        sum of the frames' original lengths
 * @param established  TCP: a frame other than a SYN without ACK was seen (a new SYN starts a new connection)
 * @param opensWithSyn TCP: the first frame is a SYN without ACK
 */
public record Connection(int ipVersion, int protocol, long srcHi, long srcLo, int srcPort, long dstHi, long dstLo, int dstPort,
                         int vlan, int innerVlan, int depth, long firstTs, long lastTs, long packets, long bytes,
                         boolean established, boolean opensWithSyn) {
    /** Receives connections one at a time, in the order a listing makes them. */
    @FunctionalInterface
    public interface Sink {
        /**
         * @param c the next connection
         * @return whether to go on (false: no more are wanted)
         * @throws IOException when the connection cannot be passed on
         */
        boolean connection(Connection c) throws IOException;
    }

    /** Whether {@code next} is the same key as this, at the same depth and (when kept) VLAN tags. */
    boolean sameKey(final Connection next) {
        if (ipVersion != next.ipVersion || protocol != next.protocol || depth != next.depth || vlan != next.vlan
            || innerVlan != next.innerVlan) {
            return false;
        }
        final boolean forward = srcHi == next.srcHi && srcLo == next.srcLo && srcPort == next.srcPort && dstHi == next.dstHi
            && dstLo == next.dstLo && dstPort == next.dstPort;
        final boolean reverse = srcHi == next.dstHi && srcLo == next.dstLo && srcPort == next.dstPort && dstHi == next.srcHi
            && dstLo == next.srcLo && dstPort == next.srcPort;
        return forward || reverse;
    }

    /**
     * Whether {@code next}, of the same key and later, continues this connection: it starts within
     * the inactivity timeout, and not with a SYN once this one was established.
     */
    boolean continuedBy(final Connection next) {
        return sameKey(next) && next.firstTs - lastTs <= FlowFacts.inactivityTimeoutNanos(protocol) && !(established && next.opensWithSyn);
    }

    /** This connection with {@code next}'s frames added. */
    Connection joined(final Connection next) {
        return new Connection(ipVersion, protocol, srcHi, srcLo, srcPort, dstHi, dstLo, dstPort, vlan, innerVlan, depth, firstTs,
            Math.max(lastTs, next.lastTs), packets + next.packets, bytes + next.bytes, established || next.established, opensWithSyn);
    }

    /**
     * The connections of several captures read one after the other (the files of a capture set, in
     * time order): a connection that runs on from one file into the next is one connection. Sorted
     * by first time.
     */
    public static List<Connection> joined(final List<List<Connection>> inTimeOrder) {
        final List<Connection> all = new ArrayList<>();
        final Map<Key, Integer> lastOfKey = new HashMap<>();
        for (List<Connection> file : inTimeOrder) {
            final List<Connection> inOrder = new ArrayList<>(file);
            inOrder.sort(Connection::compareByTime);
            for (Connection c : inOrder) {
                final Key k = c.key();
                final Integer last = lastOfKey.get(k);
                if (last != null && all.get(last).continuedBy(c)) {
                    all.set(last, all.get(last).joined(c));
                } else {
                    lastOfKey.put(k, all.size());
                    all.add(c);
                }
            }
        }
        all.sort(Connection::compareByTime);
        return all;
    }

    /** The key of this connection, its endpoints in order. */
    Key key() {
        return Key.of(ipVersion, protocol, srcHi, srcLo, srcPort, dstHi, dstLo, dstPort, vlan, innerVlan, depth);
    }

    /** A connection key, direction-independent: the smaller endpoint (address, then port) first. */
    record Key(int ipVersion, int protocol, long aHi, long aLo, int aPort, long bHi, long bLo, int bPort, int vlan,
               int innerVlan, int depth) {
        static Key of(final int ipVersion, final int protocol, final long srcHi, final long srcLo, final int srcPort,
                      final long dstHi, final long dstLo, final int dstPort, final int vlan, final int innerVlan, final int depth) {
            int c = Long.compareUnsigned(srcHi, dstHi);
            if (c == 0) {
                c = Long.compareUnsigned(srcLo, dstLo);
            }
            if (c == 0) {
                c = Integer.compare(srcPort, dstPort);
            }
            return c <= 0 ? new Key(ipVersion, protocol, srcHi, srcLo, srcPort, dstHi, dstLo, dstPort, vlan, innerVlan, depth)
                : new Key(ipVersion, protocol, dstHi, dstLo, dstPort, srcHi, srcLo, srcPort, vlan, innerVlan, depth);
        }

        /** Whether the endpoint {@code hi}, {@code lo}, {@code port} is this key's first. */
        boolean isFirst(final long hi, final long lo, final int port) {
            return aLo == lo && aHi == hi && aPort == port;
        }

        /**
         * A connection of this key, from its first endpoint to its second when {@code forward},
         * else the other way round, its other fields as {@link Connection}'s.
         */
        Connection connection(final boolean forward, final int firstVlan, final int firstInnerVlan, final long firstTs, final long lastTs,
                              final long packets, final long bytes, final boolean established, final boolean opensWithSyn) {
            return forward
                ? new Connection(ipVersion, protocol, aHi, aLo, aPort, bHi, bLo, bPort, firstVlan, firstInnerVlan, depth, firstTs, lastTs,
                    packets, bytes, established, opensWithSyn)
                : new Connection(ipVersion, protocol, bHi, bLo, bPort, aHi, aLo, aPort, firstVlan, firstInnerVlan, depth, firstTs, lastTs,
                    packets, bytes, established, opensWithSyn);
        }
    }

    /**
     * By first time, then last time, then source address (low half) and port, then the rest of the
     * key (source's high half, destination, protocol, IP version, VLAN tags, depth): the order of
     * {@code flows}, one order of any two connections of different keys, whatever order they were
     * found in.
     */
    public static int compareByTime(final Connection a, final Connection b) {
        int c = Long.compare(a.firstTs, b.firstTs);
        if (c == 0) {
            c = Long.compare(a.lastTs, b.lastTs);
        }
        if (c == 0) {
            c = Long.compare(a.srcLo, b.srcLo);
        }
        if (c == 0) {
            c = Integer.compare(a.srcPort, b.srcPort);
        }
        return c != 0 ? c : compareRestOfKey(a, b);
    }

    /** By the fields of the key {@link #compareByTime} does not look at first. */
    static int compareRestOfKey(final Connection a, final Connection b) {
        int c = Long.compare(a.srcHi, b.srcHi);
        if (c == 0) {
            c = Long.compare(a.dstHi, b.dstHi);
        }
        if (c == 0) {
            c = Long.compare(a.dstLo, b.dstLo);
        }
        if (c == 0) {
            c = Integer.compare(a.dstPort, b.dstPort);
        }
        if (c == 0) {
            c = Integer.compare(a.protocol, b.protocol);
        }
        if (c == 0) {
            c = Integer.compare(a.ipVersion, b.ipVersion);
        }
        if (c == 0) {
            c = Integer.compare(a.vlan, b.vlan);
        }
        if (c == 0) {
            c = Integer.compare(a.innerVlan, b.innerVlan);
        }
        return c != 0 ? c : Integer.compare(a.depth, b.depth);
    }
}
