package io.scalpel.testdata;

import io.scalpel.testdata.PcapngFileWriter.Option;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Decides the block structure of a pcapng capture: sections (and their byte order), the
 * interfaces of each section (one per lane, ids permuted, resolutions and offsets), which frames
 * become EPB, SPB or OPB, and where NRB, DSB, custom and statistics blocks go.
 */
final class PcapngLayout {
    private static final int SPB_PERCENT = 70;
    private static final int OPB_PERCENT = 8;
    private static final int EPB_OPTIONS_PERCENT = 15;
    private static final int UNLIMITED_SNAPLEN = 0;
    private static final int LARGE_SNAPLEN = 262144;
    private static final int EPB_FLAGS_INBOUND = 1;
    private static final int EPB_FLAGS_OUTBOUND = 2;
    private static final int EPB_FLAGS_UNICAST = 1 << 2;

    private final GeneratorSpec spec;
    private final List<Lane> lanes;
    private final Random rng;
    private final List<Emission> frames;
    private final boolean extras;

    PcapngLayout(final GeneratorSpec spec, final List<Lane> lanes, final Random rng, final List<Emission> frames) {
        this.spec = spec;
        this.lanes = lanes;
        this.rng = rng;
        this.frames = frames;
        this.extras = spec.pcapngExtras();
    }

    /** Writes the file, appending frame truth; returns the blocks. */
    List<TruthBlock> write(final OutputStream out, final List<TruthFrame> truth) throws IOException {
        final PcapngFileWriter writer = new PcapngFileWriter(out);
        final boolean mixedEndian = spec.format() == CaptureFileFormat.PCAPNG_MIXED_ENDIAN;
        final int sections = mixedEndian ? 3 : extras ? 2 : 1;
        final int[] bounds = sectionBounds(sections);
        final long earliest = frames.stream().mapToLong(e -> e.tsNanos).min().orElse(0);
        int number = 0;
        for (int s = 0; s < sections; s++) {
            final ByteOrder order = mixedEndian ? (s % 2 == 0 ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN)
                : spec.format().byteOrder();
            writer.sectionHeader(order, sectionOptions(s));

            final List<Lane> interfaces = new ArrayList<>(lanes);
            Collections.shuffle(interfaces, rng);
            if (extras && (s == 0 || rng.nextBoolean())) {
                // Let interface 0 carry ARP/LLDP (the lane of the section's first noise frame), so that SPBs occur.
                Lane noiseLane = null;
                for (int i = bounds[s]; i < bounds[s + 1] && noiseLane == null; i++) {
                    if (frames.get(i).conn == null) {
                        noiseLane = frames.get(i).lane;
                    }
                }
                if (noiseLane != null) {
                    interfaces.remove(noiseLane);
                    interfaces.add(0, noiseLane);
                }
            }
            final int[] interfaceOf = new int[lanes.size()];
            final long[] offsetSeconds = new long[interfaces.size()];
            final int[] snaplens = new int[interfaces.size()];
            for (int id = 0; id < interfaces.size(); id++) {
                final Lane lane = interfaces.get(id);
                interfaceOf[lane.index] = id;
                // libpcap refuses a section whose interfaces differ in snaplen (or link type): vary it
                // only where the link types differ anyway.
                snaplens[id] = spec.truncate() ? spec.effectiveSnaplen()
                    : spec.linkType() != GeneratorSpec.MIXED_LINK_TYPES || id == 0 ? LARGE_SNAPLEN
                    : rng.nextBoolean() ? UNLIMITED_SNAPLEN : GeneratorSpec.FULL_SNAPLEN;
                offsetSeconds[id] = extras && rng.nextInt(100) < 40
                    ? Math.max(0, Math.floorDiv(earliest, 1_000_000_000L) - rng.nextInt(100_000)) : 0;
                writer.interfaceDescription(lane.linkType, snaplens[id], interfaceOptions(writer, lane, id,
                    offsetSeconds[id]));
            }
            if (extras && s == 0) {
                nameResolution(writer, bounds[0], bounds[1]);
            }
            if (extras && s == 1) {
                writer.decryptionSecrets(PcapngFileWriter.SECRETS_TLS_KEY_LOG, tlsKeyLog());
            }
            long sectionLast = earliest;
            boolean simplePacketWritten = false;
            final int lo = bounds[s];
            final int hi = bounds[s + 1];
            for (int i = lo; i < hi; i++) {
                if (extras && s == 0 && i == lo + (hi - lo) / 3) {
                    writer.custom(true, "Zeek PCAP Scalpel test capture: copy me".getBytes(StandardCharsets.US_ASCII));
                }
                if (extras && s == 1 && i == lo + (hi - lo) / 2) {
                    writer.custom(false, "do not copy this block".getBytes(StandardCharsets.US_ASCII));
                }
                final Emission e = frames.get(i);
                number++;
                final int id = interfaceOf[e.lane.index];
                final byte[] data = LinkFrames.encode(e.lane.linkType, writer.order(), e.linkContext(), e.etherType,
                    e.payload);
                final int captured = CaptureGenerator.capturedLength(e, data, snaplens[id], number);
                sectionLast = Math.max(sectionLast, e.tsNanos);
                final long units = e.lane.units(e.tsNanos, offsetSeconds[id]);
                final long offset;
                final String type;
                if (extras && e.conn == null && id == 0 && (!simplePacketWritten || rng.nextInt(100) < SPB_PERCENT)) {
                    offset = writer.simplePacket(number, data, captured);
                    simplePacketWritten = true;
                    type = "SPB";
                } else if (extras && e.conn != null && rng.nextInt(100) < OPB_PERCENT) {
                    final List<Option> options = rng.nextBoolean() ? List.of()
                        : List.of(Option.text(PcapngFileWriter.OPT_COMMENT, "obsolete packet block"));
                    offset = writer.obsoletePacket(number, id, rng.nextInt(4), units, data, captured, options);
                    type = "OPB";
                } else {
                    offset = writer.enhancedPacket(number, id, units, data, captured, packetOptions(writer, e));
                    type = "EPB";
                }
                final TruthBlock block = writer.blocks().get(writer.blocks().size() - 1);
                if (block.offset() != offset) {
                    throw new IllegalStateException("block bookkeeping");
                }
                truth.add(CaptureGenerator.truthFrame(number, offset, block.length(),
                    type.equals("SPB") ? TruthFrame.NO_TIMESTAMP : e.tsNanos, captured, data.length, e, id, type));
            }
            if (extras) {
                for (int id = 0; id < interfaces.size(); id++) {
                    final Lane lane = interfaces.get(id);
                    final long end = lane.quantize(sectionLast);
                    final long start = lane.quantize(earliest);
                    writer.interfaceStatistics(id, lane.units(end, offsetSeconds[id]), List.of(
                        writer.timestampOption(PcapngFileWriter.ISB_STARTTIME, lane.units(start, offsetSeconds[id])),
                        writer.timestampOption(PcapngFileWriter.ISB_ENDTIME, lane.units(end, offsetSeconds[id])),
                        writer.u64Option(PcapngFileWriter.ISB_IFRECV, hi - lo),
                        writer.u64Option(PcapngFileWriter.ISB_IFDROP, 0)));
                }
            }
        }
        return writer.blocks();
    }

    private int[] sectionBounds(final int sections) {
        final int n = frames.size();
        final int[] bounds = new int[sections + 1];
        bounds[sections] = n;
        for (int s = 1; s < sections; s++) {
            final int jitter = n >= 20 ? rng.nextInt(n / 10 + 1) - n / 20 : 0;
            bounds[s] = Math.max(bounds[s - 1], Math.min(n, n * s / sections + jitter));
        }
        return bounds;
    }

    private List<Option> sectionOptions(final int section) {
        if (!extras) {
            return List.of();
        }
        if (section == 0) {
            return List.of(
                Option.text(PcapngFileWriter.SHB_HARDWARE, "x86_64 test rig"),
                Option.text(PcapngFileWriter.SHB_OS, "Linux 6.1"),
                Option.text(PcapngFileWriter.SHB_USERAPPL, "Zeek PCAP Scalpel test generator"),
                Option.text(PcapngFileWriter.OPT_COMMENT, "seed " + spec.seed()));
        }
        return section == 2 ? List.of(Option.text(PcapngFileWriter.OPT_COMMENT, "third section")) : List.of();
    }

    private List<Option> interfaceOptions(final PcapngFileWriter writer, final Lane lane, final int id,
                                          final long offsetSeconds) {
        final List<Option> options = new ArrayList<>();
        if (extras) {
            options.add(Option.text(PcapngFileWriter.IF_NAME, "if" + lane.index));
            if (rng.nextBoolean()) {
                options.add(Option.text(PcapngFileWriter.IF_DESCRIPTION, "lane " + lane.index + " as interface " + id));
            }
        }
        if (lane.tsresol != Lane.TSRESOL_ABSENT) {
            options.add(new Option(PcapngFileWriter.IF_TSRESOL, new byte[] {(byte) lane.tsresol}));
        }
        if (offsetSeconds != 0) {
            options.add(writer.u64Option(PcapngFileWriter.IF_TSOFFSET, offsetSeconds));
        }
        return options;
    }

    private List<Option> packetOptions(final PcapngFileWriter writer, final Emission e) {
        if (!extras || rng.nextInt(100) >= EPB_OPTIONS_PERCENT) {
            return List.of();
        }
        final List<Option> options = new ArrayList<>();
        if (rng.nextBoolean()) {
            options.add(Option.text(PcapngFileWriter.OPT_COMMENT, e.conn == null ? e.proto : "conn " + e.conn.uid));
        }
        if (rng.nextBoolean()) {
            options.add(writer.u32Option(PcapngFileWriter.EPB_FLAGS,
                (e.outgoing ? EPB_FLAGS_OUTBOUND : EPB_FLAGS_INBOUND) | EPB_FLAGS_UNICAST));
        }
        if (options.isEmpty() || rng.nextBoolean()) {
            options.add(writer.u64Option(PcapngFileWriter.EPB_DROPCOUNT, rng.nextInt(3)));
        }
        return options;
    }

    private void nameResolution(final PcapngFileWriter writer, final int lo, final int hi) throws IOException {
        final List<byte[]> addresses = new ArrayList<>();
        final List<String> names = new ArrayList<>();
        for (int i = lo; i < hi && addresses.size() < 4; i++) {
            final Emission e = frames.get(i);
            if (e.conn != null && addresses.stream().noneMatch(a -> java.util.Arrays.equals(a, e.conn.resp))) {
                addresses.add(e.conn.resp);
                names.add("server" + addresses.size() + ".example.org");
            }
        }
        writer.nameResolution(addresses, names);
    }

    private byte[] tlsKeyLog() {
        final StringBuilder line = new StringBuilder("CLIENT_RANDOM ");
        for (int i = 0; i < 32; i++) {
            line.append(String.format(Locale.ROOT, "%02x", rng.nextInt(256)));
        }
        line.append(' ');
        for (int i = 0; i < 48; i++) {
            line.append(String.format(Locale.ROOT, "%02x", rng.nextInt(256)));
        }
        return line.append('\n').toString().getBytes(StandardCharsets.US_ASCII);
    }
}
