package io.scalpel.index;

import java.io.IOException;

/**
 * One row of the flows table, every column (docs/index-format.md, "flows/"), as
 * {@link PacketIndex#flowRows} and {@link PacketIndex#lookupFlows} hand it over: valid only during
 * the call, as the reader reuses it. {@code vlan} and {@code innerVlan} are -1 when null,
 * {@code communityId} null when the row has none.
 */
public interface FlowRowView {
    /** Receives flow rows with their keys and counts. */
    @FunctionalInterface
    interface Visitor {
        void flow(FlowRowView row) throws IOException;
    }

    int chunk();

    int flow();

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

    String communityId();
}
