package io.scalpel.decode.tunnel;

/**
 * How the length of the IP packet a tunnel carries must relate to the bytes the tunnel header
 * leaves, as Zeek checks it ({@link Decapsulation#enter}).
 */
enum InnerLength {
    /**
     * Exactly the bytes left, as Zeek's IPTunnel analyzer wants for the tunnels that carry a bare
     * IP packet (IP in IP, PPTP, Teredo, AYIYA, GTP-U): anything else is its weird
     * {@code inner_IP_payload_length_mismatch}. An IPv4 total length of 0 (segmentation offload)
     * is refused.
     */
    EXACT,
    /**
     * At most the bytes left (an Ethernet frame's padding may follow): the tunnels that carry a
     * frame or an IP packet Zeek's IP analyzer reads by its own length (GRE, VXLAN, Geneve). An
     * IPv4 total length of 0 takes the bytes left, as Zeek does.
     */
    FITS
}
