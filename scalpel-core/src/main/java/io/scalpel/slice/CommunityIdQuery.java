package io.scalpel.slice;

import io.scalpel.decode.CommunityId;
import io.scalpel.decode.DecodedPacket;
import io.scalpel.decode.FlowKey;

/**
 * The frames whose flow has a Community ID v1 (as Zeek, Suricata or Wireshark show it), in a
 * window: {@code --community-id}, or a conn.log row that has a {@code community_id} but no
 * 5-tuple (a zeek-cut subset). VLAN tags are not part of a Community ID.
 *
 * @param label       what to call it in messages and file names (the ID, or the row's uid)
 * @param communityId the ID, {@code 1:} and 28 base64 characters
 * @param seed        the seed the ID was computed with (Zeek's {@code CommunityID::seed})
 * @param from        window start, ns (inclusive)
 * @param to          window end, ns (inclusive)
 * @param tcpEnding   for a conn.log row, how far a TCP connection's packets may run past {@code to}; else null
 */
public record CommunityIdQuery(String label, String communityId, int seed, long from, long to, TcpEnding tcpEnding)
    implements Query {

    /**
     * The frames of Community ID {@code id} (computed with {@code seed}) in [{@code from}, {@code to}].
     *
     * @throws IllegalArgumentException when {@code id} is not a base64 Community ID v1 or the
     *                                  seed is not 16 bits
     */
    public static CommunityIdQuery of(final String label, final String id, final int seed, final long from, final long to) {
        return new CommunityIdQuery(label, checked(id), CommunityId.checkSeed(seed), from, to, null);
    }

    /** {@code id}, or says why it is not a Community ID v1. */
    static String checked(final String id) {
        if (!CommunityId.isWellFormed(id)) {
            throw new IllegalArgumentException("'" + id + "' is not a Community ID v1 (1: and 28 base64 characters,"
                + " like 1:wCb3OG7yAFWelaUydu0D+125CLM=)");
        }
        return id;
    }

    /**
     * The innermost of a decoded frame's IP layers (the innermost or, in a tunnelled frame, an
     * outer one) that has this query's Community ID under {@code calculator} (made with
     * {@link #seed()}), or -1. A fragment without its transport header has no ID of its own: the
     * index tied it to its datagram's flow row, which had the ID.
     */
    int matchingLayer(final DecodedPacket decoded, final CommunityId calculator) {
        for (int i = decoded.layerCount() - 1; i >= 0; i--) {
            final FlowKey k = decoded.layer(i);
            final String id = calculator.of(k);
            if (id == null ? k.isFragment() : id.equals(communityId)) {
                return i;
            }
        }
        return -1;
    }
}
