package io.scalpel.decode;

/**
 * What ties the fragments of one IP datagram together: addresses, protocol and IP identification
 * (RFC 791 / RFC 8200). A value, for use as a map key.
 */
public record DatagramId(int ipVersion, long srcHi, long srcLo, long dstHi, long dstLo, int protocol, long id) {
    /** The datagram of a fragment's key ({@link FlowKey#isFragment()}). */
    public static DatagramId of(final FlowKey k) {
        return new DatagramId(k.ipVersion(), k.srcHi(), k.srcLo(), k.dstHi(), k.dstLo(), k.protocol(), k.fragmentId());
    }
}
