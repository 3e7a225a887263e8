package io.scalpel.bench;

/**
 * The packets a {@link TrafficConnection} has planned and not sent yet, in a small ring of
 * {@link #CAPACITY}: each one's timestamp (µs), direction, TCP flags, payload bytes, and whether it
 * repeats the sender's last FIN. A packet planned before the last one is moved to its time: the
 * timestamps of a connection never go back.
 */
final class PacketPlan {
    /** Packets planned at most at once. */
    static final int CAPACITY = 64;

    private static final int PAYLOAD_MASK = 0xFFFF;
    private static final int FLAGS_SHIFT = 16;
    private static final int FLAGS_MASK = 0xFF;
    private static final int FROM_ORIG = 1 << 24;
    /** The packet repeats the sender's last FIN (same sequence number). */
    private static final int RETRANSMISSION = 1 << 25;

    /** Names the connection in the message of a full plan. */
    private final String uid;
    private final long[] ts = new long[CAPACITY];
    private final int[] meta = new int[CAPACITY];
    private int head;
    private int planned;
    /** Timestamp (µs) of the last packet planned: the next phase starts from it; it never goes back. */
    private long cursor;

    /** An empty plan of connection {@code uid}, whose first packet is at {@code startMicros} at the earliest. */
    PacketPlan(final String uid, final long startMicros) {
        this.uid = uid;
        this.cursor = startMicros;
    }

    /** Plans a packet at {@code at} (µs), or at the last one's time if that is later. */
    void add(final long at, final boolean fromOrig, final int flags, final int payload) {
        add(at, fromOrig, flags, payload, false);
    }

    /** Plans a packet; {@code retransmission}: it repeats the sender's last FIN. */
    void add(final long at, final boolean fromOrig, final int flags, final int payload, final boolean retransmission) {
        if (planned == CAPACITY) {
            throw new IllegalStateException("plan of " + uid + " is full");
        }
        final long t = Math.max(at, cursor);
        final int slot = (head + planned) % CAPACITY;
        ts[slot] = t;
        meta[slot] = (payload & PAYLOAD_MASK) | (flags & FLAGS_MASK) << FLAGS_SHIFT | (fromOrig ? FROM_ORIG : 0)
            | (retransmission ? RETRANSMISSION : 0);
        planned++;
        cursor = t;
    }

    /** Timestamp (µs) of the last packet planned (or the start, before any). */
    long cursor() {
        return cursor;
    }

    /** Packets planned and not sent. */
    int size() {
        return planned;
    }

    boolean isEmpty() {
        return planned == 0;
    }

    /** Timestamp (µs) of the next packet. */
    long nextTs() {
        return ts[head];
    }

    /** Direction of the next packet. */
    boolean nextFromOrig() {
        return (meta[head] & FROM_ORIG) != 0;
    }

    /** TCP flags of the next packet (0 for UDP and ICMP). */
    int nextFlags() {
        return (meta[head] >>> FLAGS_SHIFT) & FLAGS_MASK;
    }

    /** Payload bytes of the next packet (above its TCP, UDP or ICMP header). */
    int nextPayload() {
        return meta[head] & PAYLOAD_MASK;
    }

    /** Whether the next packet repeats its sender's last FIN. */
    boolean nextRetransmission() {
        return (meta[head] & RETRANSMISSION) != 0;
    }

    /** The next packet was sent: moves on to the one after it. */
    void advance() {
        head = (head + 1) % CAPACITY;
        planned--;
    }
}
