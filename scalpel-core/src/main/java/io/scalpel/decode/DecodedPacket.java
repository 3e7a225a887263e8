package io.scalpel.decode;

/**
 * What {@link PacketDecoder} found in one frame: the VLAN tags it crossed and the IP flow keys,
 * outermost first. A frame without tunnels has one layer; the innermost layer is what Zeek keys
 * the connection by. Reused for every frame.
 */
public final class DecodedPacket {
    /** Most IP layers kept for one frame (outer tunnel layers plus the innermost). */
    public static final int MAX_LAYERS = 4;
    /** No VLAN tag at that position. */
    public static final int NO_VLAN = -1;
    /** No such header in the frame (see {@link #ipOffset()}, {@link #transportOffset()}). */
    public static final int NO_OFFSET = -1;

    /**
     * The innermost key is complete: decoded down to the transport ports, to IP for port-less
     * protocols (ports 0), or to the fragment facts of a non-first fragment (ports unknown).
     */
    public static final int STATUS_OK = 0;
    /** No IP inside (ARP, LLDP, STP, ...): no flow. */
    public static final int STATUS_NOT_IP = 1;
    /** Cut short (snaplen or a broken length) before the flow key was complete; layers hold what was read. */
    public static final int STATUS_TRUNCATED = 2;
    /** The link type is not one the decoder knows. */
    public static final int STATUS_UNSUPPORTED_LINKTYPE = 3;
    /** A header is malformed (bad version, header length beyond the packet); layers hold what was read. */
    public static final int STATUS_MALFORMED = 4;

    private final FlowKey[] layers = new FlowKey[MAX_LAYERS];
    int layerCount;
    int status;
    int vlanCount;
    int outerVlan = NO_VLAN;
    int innerVlan = NO_VLAN;
    int ipOffset = NO_OFFSET;
    int transportOffset = NO_OFFSET;

    public DecodedPacket() {
        for (int i = 0; i < MAX_LAYERS; i++) {
            layers[i] = new FlowKey();
        }
    }

    public void reset() {
        for (int i = 0; i < layerCount; i++) {
            layers[i].reset();
        }
        layerCount = 0;
        status = STATUS_OK;
        vlanCount = 0;
        outerVlan = NO_VLAN;
        innerVlan = NO_VLAN;
        ipOffset = NO_OFFSET;
        transportOffset = NO_OFFSET;
    }

    /** Starts a new IP layer and returns its (reset) key, or null when {@link #MAX_LAYERS} are used. */
    public FlowKey addLayer() {
        if (layerCount == MAX_LAYERS) {
            return null;
        }
        final FlowKey k = layers[layerCount++];
        k.reset();
        return k;
    }

    /**
     * Starts the layer of the IP header at {@code ipOffset}: the innermost from now on, so the
     * transport offset of an outer layer no longer applies. Null when {@link #MAX_LAYERS} are used.
     */
    FlowKey addLayerAt(final int ipOffset) {
        final FlowKey key = addLayer();
        if (key != null) {
            this.ipOffset = ipOffset;
            this.transportOffset = NO_OFFSET;
        }
        return key;
    }

    /** Records a VLAN tag (802.1Q/802.1ad/QinQ), outermost first; every tag is counted. */
    public void addVlan(final int vlanId) {
        if (vlanCount == 0) {
            outerVlan = vlanId;
        } else if (vlanCount == 1) {
            innerVlan = vlanId;
        }
        vlanCount++;
    }

    public void status(final int status) {
        this.status = status;
    }

    public int status() { return status; }
    public int layerCount() { return layerCount; }
    public FlowKey layer(final int i) { return layers[i]; }
    /** The key Zeek's conn.log uses: the innermost IP layer, or null when there is none. */
    public FlowKey innermost() { return layerCount == 0 ? null : layers[layerCount - 1]; }
    public int vlanCount() { return vlanCount; }
    public int outerVlan() { return outerVlan; }
    public int innerVlan() { return innerVlan; }
    /** Absolute buffer offset of the innermost IP header, or {@link #NO_OFFSET} when no layer was added. */
    public int ipOffset() { return ipOffset; }
    /**
     * Absolute buffer offset of the innermost upper-layer header (TCP, UDP, ICMP, GRE, ESP, ...):
     * set once the IP header and its extension headers were read, also when the transport header
     * itself is then cut short ({@link #STATUS_TRUNCATED}); {@link #NO_OFFSET} for a non-first
     * fragment or when the IP headers were incomplete.
     */
    public int transportOffset() { return transportOffset; }
}
