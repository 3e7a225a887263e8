/**
 * Decoding frames into flow keys: the second stage, frames to the keys Zeek names connections by.
 *
 * <p>{@link io.scalpel.decode.PacketDecoder} reads a frame in place, from its link-layer header
 * (package-private layers: {@code LinkLayer}, {@code Ethernet} with its VLAN tags, {@code Mpls},
 * {@code Ppp}, {@code Nflog}, {@code Ieee80211}) through {@code Ipv4}/{@code Ipv6} to the
 * transport ports ({@code Transport}), into one reused {@link io.scalpel.decode.DecodedPacket}:
 * the VLAN tags, and up to five IP layers as {@link io.scalpel.decode.FlowKey}s with the tunnel
 * each carries the next one in (the tunnels are {@code decode.tunnel}). No object per packet.
 * {@link io.scalpel.decode.FlowHash} and {@link io.scalpel.decode.CommunityId} name a key the way
 * the index and Zeek do.
 *
 * <p>Entry points: {@link io.scalpel.decode.PacketDecoder#decode},
 * {@link io.scalpel.decode.DecodedPacket}, {@link io.scalpel.decode.FlowKey}.
 *
 * <p>Depends on {@code capture} only, and on {@code decode.tunnel}, which is part of this stage
 * (docs/design.md, "One-way data flow").
 */
package io.scalpel.decode;
