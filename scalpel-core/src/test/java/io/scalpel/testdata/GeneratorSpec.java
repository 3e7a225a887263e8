package io.scalpel.testdata;

/**
 * What {@link CaptureGenerator} should put in a capture. Start from {@link #defaults(long)} or
 * {@link #everything(long)} and change one thing at a time with the {@code with...} methods.
 *
 * @param seed                 the only source of randomness: the same spec gives byte-identical files
 * @param format               file layout and byte order
 * @param linkType             a LINKTYPE_ value (0, 1, 10, 101, 108, 113, 228, 229, 276), or -1 for a
 *                             mix of interfaces of different link types (pcapng only)
 * @param connections          number of conn.log rows (reused tuples included)
 * @param vlan                 some Ethernet conversations carry one 802.1Q tag
 * @param qinq                 some Ethernet conversations carry two (802.1ad/0x9100/0x8100 outer) or three tags
 * @param ipv6                 some conversations are IPv6 (all of them on link type 229)
 * @param fragments            some UDP/ICMP datagrams are IP-fragmented, fragments sometimes out of order
 * @param icmp                 ICMP/ICMPv6 conversations (echo, timestamp, neighbor discovery, one-way errors)
 * @param otherProtocols       SCTP, OSPF and protocol 253 (Zeek's {@code unknown_transport})
 * @param truncate             a small snaplen cuts payloads (never a connection frame's headers)
 * @param unsortedTimestamps   a few frames carry a timestamp earlier than the frame before them
 * @param reuseTuples          some TCP/UDP 5-tuples come back later as a new connection
 * @param sameTupleOnTwoVlans  a few conversations are seen twice, on two VLANs (router on a stick):
 *                             one VLAN-blind connection, one uid
 * @param noise                ARP and LLDP frames that belong to no connection
 * @param pcapngExtras         pcapng only: several sections, SHB/IDB/EPB options, SPB, OPB, NRB, ISB,
 *                             DSB and custom blocks
 * @param snaplen              the snaplen when truncating (0: 128, at least 96); ignored otherwise (65535)
 * @param maxPayload           upper bound of a TCP/UDP payload in unfragmented packets
 * @param startNanos           time of the first conversation, or 0 to derive one near 1.7e9 s from the seed
 */
public record GeneratorSpec(
    long seed,
    CaptureFileFormat format,
    int linkType,
    int connections,
    boolean vlan,
    boolean qinq,
    boolean ipv6,
    boolean fragments,
    boolean icmp,
    boolean otherProtocols,
    boolean truncate,
    boolean unsortedTimestamps,
    boolean reuseTuples,
    boolean sameTupleOnTwoVlans,
    boolean noise,
    boolean pcapngExtras,
    int snaplen,
    int maxPayload,
    long startNanos) {

    /** The link type value meaning "interfaces of several link types". */
    public static final int MIXED_LINK_TYPES = -1;
    public static final int DEFAULT_TRUNCATION_SNAPLEN = 128;
    /**
     * The smallest snaplen accepted: below 128 the generator leaves out the third VLAN tag, IP
     * options, IPv6 extension headers and TCP SYN options so that headers and fragments still fit.
     */
    public static final int MIN_TRUNCATION_SNAPLEN = 96;
    public static final int FULL_SNAPLEN = 65535;

    public GeneratorSpec {
        if (format == null) {
            throw new IllegalArgumentException("format is required");
        }
        if (connections < 1) {
            throw new IllegalArgumentException("connections must be at least 1, was " + connections);
        }
        if (linkType == MIXED_LINK_TYPES) {
            if (!format.isPcapng()) {
                throw new IllegalArgumentException("mixed link types need a pcapng format, not " + format);
            }
        } else if (!LinkFrames.isSupported(linkType)) {
            throw new IllegalArgumentException("unsupported link type " + linkType);
        }
        if (snaplen != 0 && snaplen < MIN_TRUNCATION_SNAPLEN) {
            throw new IllegalArgumentException("snaplen " + snaplen + " is below " + MIN_TRUNCATION_SNAPLEN
                + ", which headers and whole fragments need");
        }
        if (maxPayload < 1 || maxPayload > 1400) {
            throw new IllegalArgumentException("maxPayload must be in [1, 1400], was " + maxPayload);
        }
    }

    /** Ethernet, microsecond little-endian pcap, 30 TCP/UDP/ICMP connections, IPv4 and IPv6, ARP noise. */
    public static GeneratorSpec defaults(final long seed) {
        return new GeneratorSpec(seed, CaptureFileFormat.PCAP_USEC_LE, LinkFrames.LINKTYPE_ETHERNET, 30,
            false, false, true, false, true, false, false, false, false, false, true, true, 0, 600, 0);
    }

    /** Every feature switched on (still Ethernet µs pcap: change the format and link type as needed). */
    public static GeneratorSpec everything(final long seed) {
        return defaults(seed).withVlan(true).withQinq(true).withFragments(true).withOtherProtocols(true)
            .withTruncate(true).withUnsortedTimestamps(true).withReuseTuples(true).withSameTupleOnTwoVlans(true);
    }

    /** The snaplen written in the file header / IDBs. */
    public int effectiveSnaplen() {
        if (!truncate) {
            return FULL_SNAPLEN;
        }
        return snaplen == 0 ? DEFAULT_TRUNCATION_SNAPLEN : snaplen;
    }

    public GeneratorSpec withSeed(final long value) {
        return new GeneratorSpec(value, format, linkType, connections, vlan, qinq, ipv6, fragments, icmp, otherProtocols,
            truncate, unsortedTimestamps, reuseTuples, sameTupleOnTwoVlans, noise, pcapngExtras, snaplen, maxPayload, startNanos);
    }

    public GeneratorSpec withFormat(final CaptureFileFormat value) {
        return new GeneratorSpec(seed, value, linkType, connections, vlan, qinq, ipv6, fragments, icmp, otherProtocols,
            truncate, unsortedTimestamps, reuseTuples, sameTupleOnTwoVlans, noise, pcapngExtras, snaplen, maxPayload, startNanos);
    }

    public GeneratorSpec withLinkType(final int value) {
        return new GeneratorSpec(seed, format, value, connections, vlan, qinq, ipv6, fragments, icmp, otherProtocols,
            truncate, unsortedTimestamps, reuseTuples, sameTupleOnTwoVlans, noise, pcapngExtras, snaplen, maxPayload, startNanos);
    }

    public GeneratorSpec withConnections(final int value) {
        return new GeneratorSpec(seed, format, linkType, value, vlan, qinq, ipv6, fragments, icmp, otherProtocols,
            truncate, unsortedTimestamps, reuseTuples, sameTupleOnTwoVlans, noise, pcapngExtras, snaplen, maxPayload, startNanos);
    }

    public GeneratorSpec withVlan(final boolean value) {
        return new GeneratorSpec(seed, format, linkType, connections, value, qinq, ipv6, fragments, icmp, otherProtocols,
            truncate, unsortedTimestamps, reuseTuples, sameTupleOnTwoVlans, noise, pcapngExtras, snaplen, maxPayload, startNanos);
    }

    public GeneratorSpec withQinq(final boolean value) {
        return new GeneratorSpec(seed, format, linkType, connections, vlan, value, ipv6, fragments, icmp, otherProtocols,
            truncate, unsortedTimestamps, reuseTuples, sameTupleOnTwoVlans, noise, pcapngExtras, snaplen, maxPayload, startNanos);
    }

    public GeneratorSpec withIpv6(final boolean value) {
        return new GeneratorSpec(seed, format, linkType, connections, vlan, qinq, value, fragments, icmp, otherProtocols,
            truncate, unsortedTimestamps, reuseTuples, sameTupleOnTwoVlans, noise, pcapngExtras, snaplen, maxPayload, startNanos);
    }

    public GeneratorSpec withFragments(final boolean value) {
        return new GeneratorSpec(seed, format, linkType, connections, vlan, qinq, ipv6, value, icmp, otherProtocols,
            truncate, unsortedTimestamps, reuseTuples, sameTupleOnTwoVlans, noise, pcapngExtras, snaplen, maxPayload, startNanos);
    }

    public GeneratorSpec withIcmp(final boolean value) {
        return new GeneratorSpec(seed, format, linkType, connections, vlan, qinq, ipv6, fragments, value, otherProtocols,
            truncate, unsortedTimestamps, reuseTuples, sameTupleOnTwoVlans, noise, pcapngExtras, snaplen, maxPayload, startNanos);
    }

    public GeneratorSpec withOtherProtocols(final boolean value) {
        return new GeneratorSpec(seed, format, linkType, connections, vlan, qinq, ipv6, fragments, icmp, value,
            truncate, unsortedTimestamps, reuseTuples, sameTupleOnTwoVlans, noise, pcapngExtras, snaplen, maxPayload, startNanos);
    }

    public GeneratorSpec withTruncate(final boolean value) {
        return new GeneratorSpec(seed, format, linkType, connections, vlan, qinq, ipv6, fragments, icmp, otherProtocols,
            value, unsortedTimestamps, reuseTuples, sameTupleOnTwoVlans, noise, pcapngExtras, snaplen, maxPayload, startNanos);
    }

    public GeneratorSpec withUnsortedTimestamps(final boolean value) {
        return new GeneratorSpec(seed, format, linkType, connections, vlan, qinq, ipv6, fragments, icmp, otherProtocols,
            truncate, value, reuseTuples, sameTupleOnTwoVlans, noise, pcapngExtras, snaplen, maxPayload, startNanos);
    }

    public GeneratorSpec withReuseTuples(final boolean value) {
        return new GeneratorSpec(seed, format, linkType, connections, vlan, qinq, ipv6, fragments, icmp, otherProtocols,
            truncate, unsortedTimestamps, value, sameTupleOnTwoVlans, noise, pcapngExtras, snaplen, maxPayload, startNanos);
    }

    public GeneratorSpec withSameTupleOnTwoVlans(final boolean value) {
        return new GeneratorSpec(seed, format, linkType, connections, vlan, qinq, ipv6, fragments, icmp, otherProtocols,
            truncate, unsortedTimestamps, reuseTuples, value, noise, pcapngExtras, snaplen, maxPayload, startNanos);
    }

    public GeneratorSpec withNoise(final boolean value) {
        return new GeneratorSpec(seed, format, linkType, connections, vlan, qinq, ipv6, fragments, icmp, otherProtocols,
            truncate, unsortedTimestamps, reuseTuples, sameTupleOnTwoVlans, value, pcapngExtras, snaplen, maxPayload, startNanos);
    }

    public GeneratorSpec withPcapngExtras(final boolean value) {
        return new GeneratorSpec(seed, format, linkType, connections, vlan, qinq, ipv6, fragments, icmp, otherProtocols,
            truncate, unsortedTimestamps, reuseTuples, sameTupleOnTwoVlans, noise, value, snaplen, maxPayload, startNanos);
    }

    public GeneratorSpec withSnaplen(final int value) {
        return new GeneratorSpec(seed, format, linkType, connections, vlan, qinq, ipv6, fragments, icmp, otherProtocols,
            truncate, unsortedTimestamps, reuseTuples, sameTupleOnTwoVlans, noise, pcapngExtras, value, maxPayload, startNanos);
    }

    public GeneratorSpec withMaxPayload(final int value) {
        return new GeneratorSpec(seed, format, linkType, connections, vlan, qinq, ipv6, fragments, icmp, otherProtocols,
            truncate, unsortedTimestamps, reuseTuples, sameTupleOnTwoVlans, noise, pcapngExtras, snaplen, value, startNanos);
    }

    public GeneratorSpec withStartNanos(final long value) {
        return new GeneratorSpec(seed, format, linkType, connections, vlan, qinq, ipv6, fragments, icmp, otherProtocols,
            truncate, unsortedTimestamps, reuseTuples, sameTupleOnTwoVlans, noise, pcapngExtras, snaplen, maxPayload, value);
    }
}
