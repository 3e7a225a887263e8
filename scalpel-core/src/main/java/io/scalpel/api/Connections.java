package io.scalpel.api;

import io.scalpel.decode.Addresses;
import io.scalpel.decode.DecodedPacket;
import io.scalpel.decode.FlowKey;
import io.scalpel.slice.Query;
import io.scalpel.zeek.ConnRecord;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Conn rows with their packets: what a page that lists connections and plots each one's packets
 * needs, without writing an extract. The uids are looked up in a conn.log as {@link Slices} does
 * (the same rows, the same queries under the captures' options); each row's frames are selected and
 * visited once, to count them and to keep, for the first {@code maxPackets} of them, when each was
 * seen, how long it was and which side sent it.
 *
 * <p>Thread-safe as the captures' reads are ({@code Scalpel}'s Threads in java-api.md).
 */
public final class Connections {
    /**
     * One packet of a connection.
     *
     * @param timestampNanos   when it was captured, ns since the epoch
     * @param capturedLength   bytes captured
     * @param wireLength       bytes on the wire
     * @param fromOriginator   sent by the row's originator ({@code id.orig_h}, {@code id.orig_p}) at some IP layer
     */
    public record Packet(long timestampNanos, int capturedLength, int wireLength, boolean fromOriginator) {
    }

    /**
     * A conn row and its packets.
     *
     * @param row     the conn.log row
     * @param orig    {@code id.orig_h} as text (empty for a row without a 5-tuple)
     * @param resp    {@code id.resp_h} as text (empty for a row without a 5-tuple)
     * @param frames  how many frames the row selects
     * @param bytes   their bytes on the wire
     * @param packets the first frames, at most the {@code maxPackets} asked for, in capture order
     */
    public record Connection(ConnRecord row, String orig, String resp, long frames, long bytes, List<Packet> packets) {
        /**
         * A copy of the packets list.
         *
         * @param row     the conn.log row
         * @param orig    {@code id.orig_h} as text
         * @param resp    {@code id.resp_h} as text
         * @param frames  how many frames the row selects
         * @param bytes   their bytes on the wire
         * @param packets the first frames
         */
        public Connection {
            packets = List.copyOf(packets);
        }
    }

    /**
     * What a look-up found.
     *
     * @param connections the rows found, in the log's order, with their packets
     * @param unknown     why each uid not found is in no log, one line each
     */
    public record Found(List<Connection> connections, List<String> unknown) {
        /**
         * Copies of the lists.
         *
         * @param connections the rows found
         * @param unknown     the uids not found, with why
         */
        public Found {
            connections = List.copyOf(connections);
            unknown = List.copyOf(unknown);
        }
    }

    private Connections() {
    }

    /**
     * The rows of {@code uids} in {@code connLog} with their packets in {@code captures}.
     *
     * @param captures   the capture file or capture set, open
     * @param connLog    the conn.log: a file or a directory of rotated logs
     * @param uids       the uids, in order
     * @param maxPackets packets kept per row (the rest are counted)
     * @return the rows found and the uids not found
     * @throws IOException when a log, an index or a capture cannot be read
     */
    public static Found find(final Captures captures, final String connLog, final Collection<String> uids, final int maxPackets)
        throws IOException {
        return find(captures, connLog, uids, maxPackets, null);
    }

    /**
     * The rows of {@code uids} in {@code connLog} with their packets in {@code captures}, found
     * through {@code index} when it indexes {@code connLog} and is current (else the log is read).
     *
     * @param captures   the capture file or capture set, open
     * @param connLog    the conn.log: a file or a directory of rotated logs
     * @param uids       the uids, in order
     * @param maxPackets packets kept per row (the rest are counted)
     * @param index      the conn.log's rows kept warm, or null
     * @return the rows found and the uids not found
     * @throws IOException when a log, an index or a capture cannot be read
     */
    public static Found find(final Captures captures, final String connLog, final Collection<String> uids, final int maxPackets,
                             final ConnLogIndex index) throws IOException {
        final SliceRequest request = SliceRequest.builder().conn(connLog).uids(uids).build();
        final UidResolution.Asked asked = new UidResolution(captures, request, SliceListener.QUIET,
            new VlanKeying(captures.options().vlanKey()), index).asked(Map.of());
        final List<Query> queries = new ArrayList<>();
        final List<ConnRecord> rows = new ArrayList<>();
        for (ConnRecord r : asked.rows()) {
            queries.add(asked.queries().get(r.uid()));
            rows.add(r);
        }
        final CaptureSet.Selection selection = captures.selectQueries(queries);
        final List<Connection> found = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            found.add(connection(selection, i, rows.get(i), maxPackets));
        }
        return new Found(found, asked.unknown());
    }

    private static Connection connection(final CaptureSet.Selection selection, final int query, final ConnRecord row,
                                         final int maxPackets) throws IOException {
        final List<Packet> packets = new ArrayList<>();
        final long[] totals = new long[2]; // frames, bytes
        for (CaptureSet.MemberSelection m : selection.members()) {
            m.capture().visit(m.offsets()[query], (frame, decoded) -> {
                totals[0]++;
                totals[1] += frame.originalLength();
                if (packets.size() < maxPackets) {
                    packets.add(new Packet(frame.timestampNanos(), frame.capturedLength(), frame.originalLength(),
                        fromOriginator(decoded, row)));
                }
            });
        }
        final boolean tuple = row.hasFiveTuple();
        return new Connection(row, tuple ? Addresses.format(row.ipVersion(), row.origHi(), row.origLo()) : "",
            tuple ? Addresses.format(row.ipVersion(), row.respHi(), row.respLo()) : "", totals[0], totals[1], packets);
    }

    /** Whether some IP layer of the frame is sent from the row's originator address and port. */
    private static boolean fromOriginator(final DecodedPacket decoded, final ConnRecord row) {
        for (int i = 0; i < decoded.layerCount(); i++) {
            final FlowKey k = decoded.layer(i);
            if (k.srcHi() == row.origHi() && k.srcLo() == row.origLo() && (k.srcPort() == row.origPort() || !row.hasFiveTuple())) {
                return true;
            }
        }
        return false;
    }
}
