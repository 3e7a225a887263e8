package io.scalpel.index;

import java.io.IOException;

/**
 * One row of the flows table, every column (docs/index-format.md, "flows/"), as
 * {@link PacketIndex#flowRows} and {@link PacketIndex#lookupFlows} hand it over: valid only during
 * the call, as the reader reuses it. {@code vlan} and {@code innerVlan} are -1 when null,
 * {@code communityId} null when the row has none; the ports 0 when the key lacks them
 * ({@link #portsKnown}).
 */
public interface FlowRowView {
    /** Receives flow rows with their keys and counts. */
    @FunctionalInterface
    interface Visitor {
        void flow(FlowRowView row) throws IOException;
    }

    int chunk();

    int flow();

    /** The row's {@code flow_hash}: the high 32 bits of its key's flow hash ({@link IndexSchema#storedFlowHash}). */
    long flowHash();

    long firstTs();

    long lastTs();

    long packets();

    long bytes();

    int ipVersion();

    int proto();

    String src();

    int srcPort();

    String dst();

    int dstPort();

    int vlan();

    int innerVlan();

    int depth();

    /** The row's {@code facts} ({@link FlowFacts}): where its key's connections may split. */
    int facts();

    /**
     * Whether the key has the ports its protocol hashes: false for a TCP, UDP, SCTP or ICMP
     * header cut off, or a fragmented datagram whose first fragment was never seen (the
     * {@code src_port} and {@code dst_port} columns are null then). Always true for protocols
     * without ports.
     */
    boolean portsKnown();

    /**
     * The row's Community ID v1 with seed 0, computed from its key (format 6 does not store it),
     * or null when the key lacks the ports its protocol hashes.
     */
    String communityId();
}
