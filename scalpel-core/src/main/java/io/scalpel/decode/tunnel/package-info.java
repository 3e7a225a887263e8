/**
 * The tunnels the decoder enters, as Zeek's packet analysis does: one small class per tunnel
 * ({@code IpInIp}, {@code Gre} with its ERSPAN, PPTP and Aruba table, {@code GreOverUdp},
 * {@code Vxlan}, {@code Geneve}, {@code Teredo}, {@code Ayiya}, {@code GtpV1}), each parsing only
 * its header; {@code TunnelTable}, which tunnel runs after which (IP protocols, UDP ports,
 * payload detection), as data; and {@link io.scalpel.decode.tunnel.Decapsulation}, Zeek's rules
 * for entering a tunnel in one place and the helper every tunnel hands the packet it carries to.
 * The decoder calls {@code Decapsulation} once a layer's ports are read; {@code Decapsulation}
 * decodes the inner packet through {@link io.scalpel.decode.PacketDecoder#decodeInner}. Adding a
 * tunnel is one class, one table row and its tests ({@code docs/extending.md}).
 *
 * <p>Entry point: {@link io.scalpel.decode.tunnel.Decapsulation}, which only the decoder calls.
 *
 * <p>Part of the decode stage: depends on {@code decode} and {@code capture} only (docs/design.md,
 * "One-way data flow").
 */
package io.scalpel.decode.tunnel;
