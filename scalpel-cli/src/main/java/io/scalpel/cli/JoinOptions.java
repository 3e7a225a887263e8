package io.scalpel.cli;

import io.scalpel.api.Scalpel;
import picocli.CommandLine.Option;

/** How conn.log rows are joined with packets: VLAN keying, the Community ID seed, Zeek's TCP close delay. */
final class JoinOptions {
    @Option(names = "--vlan-aware", description = "match the conn.log's vlan/inner_vlan against the frames' tags ('-' = untagged)")
    boolean vlanAware;

    @Option(names = "--vlan-blind", description = "ignore VLAN tags, even for a conn.log written with Zeek's VLAN-aware key"
        + " (id.ctx.vlan columns), which is otherwise joined VLAN-aware")
    boolean vlanBlind;

    @Option(names = "--community-id-seed", paramLabel = "N",
        description = "seed of the Community IDs given or logged (Zeek's CommunityID::seed; default 0)")
    int communityIdSeed = Scalpel.Options.defaults().communityIdSeed();

    @Option(names = "--tcp-close-delay", paramLabel = "SECONDS", converter = SecondsConverter.class,
        description = "Zeek's tcp_close_delay on the sensor (default 5): how long a TCP connection still takes packets"
            + " after both endpoints closed")
    long tcpCloseDelayNanos = Scalpel.Options.defaults().tcpCloseDelayNanos();

    /** The join as {@link Scalpel.Options} (the seed and the options' combination already checked). */
    Scalpel.Options options() {
        return Scalpel.Options.defaults()
            .withVlanKey(vlanAware ? Scalpel.VlanKey.AWARE : vlanBlind ? Scalpel.VlanKey.BLIND : Scalpel.VlanKey.AS_LOGGED)
            .withCommunityIdSeed(communityIdSeed).withTcpCloseDelayNanos(tcpCloseDelayNanos);
    }
}
