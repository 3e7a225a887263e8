package io.scalpel.decode;

/**
 * What {@link PacketDecoder} found in one frame: the VLAN tags it crossed and the IP flow keys,
 * outermost first. A frame without tunnels has one layer; each tunnel the decoder entered adds
 * one, and the innermost layer is what Zeek keys the connection by. Every layer but the
 * innermost carries a tunnel, named by {@link #tunnelType(int)}. Reused for every frame.
 */
public final class DecodedPacket {
    /** Zeek's default {@code Tunnel::max_depth}: the most tunnels it enters in one frame. */
    public static final int DEFAULT_MAX_TUNNEL_DEPTH = 4;
    /** Most IP layers kept for one frame: the outermost plus one per tunnel at the default depth. */
    public static final int MAX_LAYERS = DEFAULT_MAX_TUNNEL_DEPTH + 1;
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

    /*
     * Tunnel types ({@link #tunnelType(int)}): how a layer carries the next one. The values follow
     * the order of Zeek's Tunnel::Type enum, whose names tunnel.log prints.
     */
    /** The innermost layer: no tunnel. */
    public static final int TUNNEL_NONE = 0;
    /** IP in IP: IPv4 or IPv6 directly inside IPv4 or IPv6 (IP protocol 4 or 41); Zeek's Tunnel::IP. */
    public static final int TUNNEL_IP = 1;
    /** AYIYA over UDP (port 5072). */
    public static final int TUNNEL_AYIYA = 2;
    /** Teredo over UDP (port 3544, or any port whose payload Zeek recognises as Teredo). */
    public static final int TUNNEL_TEREDO = 3;
    /** GTP-U user data (GTPv1 G-PDU) over UDP (port 2152 or 2123). */
    public static final int TUNNEL_GTPV1 = 5;
    /** GRE (IP protocol 47, or UDP port 4754): IP, Ethernet, ERSPAN I/II/III, PPTP's PPP, Aruba 802.11. */
    public static final int TUNNEL_GRE = 7;
    /** VXLAN over UDP (port 4789). */
    public static final int TUNNEL_VXLAN = 8;
    /** Geneve over UDP (port 6081). */
    public static final int TUNNEL_GENEVE = 9;

    /*
     * Why the innermost layer holds a tunnel header the decoder did not enter ({@link #tunnelStop()}).
     */
    /** Every tunnel found was entered, or there was none. */
    public static final int TUNNEL_STOP_NONE = 0;
    /**
     * The innermost layer is a non-first IP fragment of IP protocol 4, 41 or 47, whose datagram
     * may carry a tunnel: the tunnel header is in the first fragment, so this frame has no layer
     * inside the fragment. (The first fragment of a datagram is decapsulated as far as its bytes
     * allow; the index attributes the other fragments to the first fragment's inner keys.)
     */
    public static final int TUNNEL_STOP_FRAGMENT = 1;
    /** A further tunnel would exceed the decoder's maximum tunnel depth (Zeek's weird {@code exceeded_tunnel_max_depth}). */
    public static final int TUNNEL_STOP_MAX_DEPTH = 2;
    /**
     * A tunnel header was there but Zeek would not decapsulate it: the header or the packet inside
     * is invalid, truncated, or of a kind Zeek keeps no connection for (IGMP, a Teredo bubble,
     * non-IP); the frame belongs to the outer flow only.
     */
    public static final int TUNNEL_STOP_REFUSED = 3;

    private final FlowKey[] layers = new FlowKey[MAX_LAYERS];
    /** Layer {@code i}'s alias key ({@link #aliasKey(int)}), valid where {@code hasAlias[i]}. */
    private final FlowKey[] aliases = new FlowKey[MAX_LAYERS];
    private final boolean[] hasAlias = new boolean[MAX_LAYERS];
    private final int[] tunnelTypes = new int[MAX_LAYERS];
    private final int[] layerIpOffsets = new int[MAX_LAYERS];
    private final int[] layerTransportOffsets = new int[MAX_LAYERS];
    /** Set by {@link PacketDecoder} before each decode. */
    int maxTunnelDepth = DEFAULT_MAX_TUNNEL_DEPTH;
    /** Where the frame's captured bytes end in the buffer (set by the decoder). */
    int frameEnd;
    int tunnelStop = TUNNEL_STOP_NONE;
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
            aliases[i] = new FlowKey();
        }
    }

    public void reset() {
        for (int i = 0; i < layerCount; i++) {
            layers[i].reset();
            hasAlias[i] = false;
            tunnelTypes[i] = TUNNEL_NONE;
            layerIpOffsets[i] = NO_OFFSET;
            layerTransportOffsets[i] = NO_OFFSET;
        }
        layerCount = 0;
        tunnelStop = TUNNEL_STOP_NONE;
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
        final FlowKey k = layers[layerCount];
        k.reset();
        hasAlias[layerCount] = false;
        tunnelTypes[layerCount] = TUNNEL_NONE;
        layerIpOffsets[layerCount] = NO_OFFSET;
        layerTransportOffsets[layerCount] = NO_OFFSET;
        layerCount++;
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
            layerIpOffsets[layerCount - 1] = ipOffset;
        }
        return key;
    }

    /** Records the innermost layer's upper-layer header offset. */
    void transportAt(final int transportOffset) {
        this.transportOffset = transportOffset;
        layerTransportOffsets[layerCount - 1] = transportOffset;
    }

    /*
     * The tunnel decoders' side (io.scalpel.decode.tunnel): what entering a tunnel, and taking
     * it back when Zeek would not, does to the layers.
     */

    /** Marks layer {@code i} as carrying the next layer in a tunnel of {@code type} ({@code TUNNEL_*}). */
    public void tunnel(final int i, final int type) {
        tunnelTypes[i] = type;
    }

    /**
     * Gives layer {@code i} its {@linkplain #aliasKey(int) alias}: the layer's addresses with IP
     * protocol {@code protocol} and ports 0.
     */
    public void aliasByAddresses(final int i, final int protocol) {
        final FlowKey alias = aliases[i];
        alias.copyFrom(layers[i]);
        alias.setProtocol(protocol);
        alias.setPorts(0, 0);
        hasAlias[i] = true;
    }

    /**
     * Drops the layers from {@code count} on (a tunnel the decoder entered but Zeek would not
     * decapsulate): layer {@code count - 1} is the innermost again, carrying no tunnel.
     */
    public void truncateLayers(final int count) {
        for (int i = count; i < layerCount; i++) {
            layers[i].reset();
            hasAlias[i] = false;
            tunnelTypes[i] = TUNNEL_NONE;
            layerIpOffsets[i] = NO_OFFSET;
            layerTransportOffsets[i] = NO_OFFSET;
        }
        layerCount = count;
        tunnelTypes[count - 1] = TUNNEL_NONE;
        hasAlias[count - 1] = false;
        ipOffset = layerIpOffsets[count - 1];
        transportOffset = layerTransportOffsets[count - 1];
    }

    /**
     * Forgets VLAN tags recorded after the first {@code count} (tags inside a tunnel): the tags go
     * back to {@code count} tags, of which {@code innerVlanThen} was {@link #innerVlan()}.
     */
    public void truncateVlans(final int count, final int innerVlanThen) {
        innerVlan = count <= 1 ? NO_VLAN : innerVlanThen;
        if (count == 0) {
            outerVlan = NO_VLAN;
        }
        vlanCount = count;
    }

    /** Records why a tunnel inside the innermost layer is not entered ({@code TUNNEL_STOP_*}). */
    public void tunnelStop(final int reason) {
        this.tunnelStop = reason;
    }

    /** The most tunnels the decoder enters in this frame (its {@code Tunnel::max_depth}). */
    public int maxTunnelDepth() { return maxTunnelDepth; }
    /** Where the frame's captured bytes end in the buffer. */
    public int frameEnd() { return frameEnd; }

    /**
     * Records a VLAN tag (802.1Q/802.1ad/QinQ), outermost first; every tag is counted. As in Zeek's
     * VLAN analyzer, the first tag is the outer one and each later tag replaces the inner one, so
     * a frame of three or more tags has its last as the inner tag.
     */
    public void addVlan(final int vlanId) {
        if (vlanCount == 0) {
            outerVlan = vlanId;
        } else {
            innerVlan = vlanId;
        }
        vlanCount++;
    }

    public void status(final int status) {
        this.status = status;
    }

    public int status() { return status; }
    public int layerCount() { return layerCount; }
    /** Layer {@code i}, outermost first ({@code 0 <= i < layerCount()}). */
    public FlowKey layer(final int i) { return layers[i]; }
    /**
     * The tunnel layer {@code i} carries the next layer in ({@code TUNNEL_*}), {@link #TUNNEL_NONE}
     * for the innermost. Zeek's tunnel.log names a UDP tunnel (VXLAN, Geneve, Teredo, AYIYA,
     * GTPv1) by the layer's key with its ports, and an IP or GRE tunnel by the layer's addresses
     * with ports 0: the key itself for IP protocol 4, 41 or 47, and for GRE over UDP the layer's
     * {@linkplain #aliasKey(int) alias}.
     */
    public int tunnelType(final int i) { return tunnelTypes[i]; }
    /**
     * The other key layer {@code i} is known by, or null: a UDP layer carrying GRE (GRE over UDP)
     * is named in tunnel.log as GRE over IP is, by its addresses with IP protocol 47 and ports 0,
     * so the index and the queries take the layer under that key as well as under its own.
     */
    public FlowKey aliasKey(final int i) { return hasAlias[i] ? aliases[i] : null; }
    /** Absolute buffer offset of layer {@code i}'s IP header. */
    public int layerIpOffset(final int i) { return layerIpOffsets[i]; }
    /** Absolute buffer offset of layer {@code i}'s upper-layer header, or {@link #NO_OFFSET} (see {@link #transportOffset()}). */
    public int layerTransportOffset(final int i) { return layerTransportOffsets[i]; }
    /** Tunnels entered: {@code layerCount() - 1}, or 0 without a layer. */
    public int tunnelDepth() { return layerCount == 0 ? 0 : layerCount - 1; }
    /** Why a tunnel header inside the innermost layer was not entered ({@code TUNNEL_STOP_*}). */
    public int tunnelStop() { return tunnelStop; }
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
