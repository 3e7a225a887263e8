package io.scalpel.bench;

import io.scalpel.capture.CaptureFormat;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Writes a large, seeded capture for benchmarks, classic pcap (µs, little endian, Ethernet) or
 * pcapng (one section, one Ethernet interface, µs enhanced packet blocks), in one of two
 * {@link Shape}s, with its conn.log if asked (TSV and/or JSON lines). The same seed and
 * {@link Spec} give the same bytes, and memory does not grow with the size.
 *
 * <ul>
 *   <li>{@link Shape#TRAFFIC}: shaped like real traffic ({@link TrafficCapture}): about 100 000
 *   connections per GiB, most of them short (DNS, short TCP with handshakes and real closes), a
 *   few long, frames of about 550 bytes on average, IPv6 and VLANs; Zeek's full conn.log;</li>
 *   <li>{@link Shape#UNIFORM}: 4 096 flows open at once, each frame from one of them at random:
 *   TCP, UDP and ICMP over IPv4 and IPv6, a fifth of the flows VLAN-tagged, frames of 60 to
 *   1 514 bytes averaging about 670, few connections (long ones), a conn.log of the 11 columns
 *   the join needs.</li>
 * </ul>
 *
 * <p>Usage: {@code SyntheticCapture OUT BYTES [SEED] [CONN.LOG] [--shape traffic|uniform] [--pcapng] [--packets N]
 * [--json-conn FILE]} (BYTES takes K, M and G suffixes: powers of 1024; the shape is uniform unless given).
 */
public final class SyntheticCapture {
    private static final int ACTIVE_FLOWS = 4096;
    private static final int MAX_FRAME = 1600;

    /** What the traffic looks like. */
    public enum Shape {
        /** 4 096 long flows open at once, frames from them at random (the original workload). */
        UNIFORM,
        /** Shaped like real traffic: many short connections, a few long ones ({@link TrafficCapture}). */
        TRAFFIC
    }

    /** What to write; immutable, changed with {@code with...}. */
    public record Spec(long bytes, long packets, long seed, CaptureFormat format, Path connLog, Path connLogJson, Shape shape) {
        /** Unbounded size and count (set at least one), seed 1, pcap, no conn.log, the uniform shape. */
        public static Spec defaults() {
            return new Spec(Long.MAX_VALUE, Long.MAX_VALUE, 1, CaptureFormat.PCAP, null, null, Shape.UNIFORM);
        }

        /** Stop before the file would exceed this many bytes. */
        public Spec withBytes(final long b) {
            return new Spec(b, packets, seed, format, connLog, connLogJson, shape);
        }

        /** Write exactly this many frames (unless {@link #bytes} stops earlier). */
        public Spec withPackets(final long n) {
            return new Spec(bytes, n, seed, format, connLog, connLogJson, shape);
        }

        public Spec withSeed(final long s) {
            return new Spec(bytes, packets, s, format, connLog, connLogJson, shape);
        }

        public Spec withFormat(final CaptureFormat f) {
            return new Spec(bytes, packets, seed, f, connLog, connLogJson, shape);
        }

        /** Also write a Zeek TSV conn.log, one row per flow. */
        public Spec withConnLog(final Path p) {
            return new Spec(bytes, packets, seed, format, p, connLogJson, shape);
        }

        /** Also write a Zeek JSON-lines conn.log, one row per flow. */
        public Spec withConnLogJson(final Path p) {
            return new Spec(bytes, packets, seed, format, connLog, p, shape);
        }

        public Spec withShape(final Shape s) {
            return new Spec(bytes, packets, seed, format, connLog, connLogJson, s);
        }
    }

    /** What was written. */
    public record Written(long packets, long bytes, long flows) {
    }

    private SyntheticCapture() {
    }

    public static void main(final String[] args) throws IOException {
        final java.util.List<String> positional = new java.util.ArrayList<>();
        Spec spec = Spec.defaults();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--pcapng" -> spec = spec.withFormat(CaptureFormat.PCAPNG);
                case "--packets" -> spec = spec.withPackets(Long.parseLong(args[++i]));
                case "--json-conn" -> spec = spec.withConnLogJson(Path.of(args[++i]));
                case "--shape" -> spec = spec.withShape(Shape.valueOf(args[++i].toUpperCase(Locale.ROOT)));
                default -> positional.add(args[i]);
            }
        }
        if (positional.size() < 2) {
            System.err.println("usage: SyntheticCapture OUT BYTES [SEED] [CONN.LOG] [--shape traffic|uniform] [--pcapng] [--packets N]"
                + " [--json-conn FILE]");
            System.exit(2);
        }
        final Path out = Path.of(positional.get(0));
        spec = spec.withBytes(parseSize(positional.get(1)));
        if (positional.size() > 2) {
            spec = spec.withSeed(Long.parseLong(positional.get(2)));
        }
        if (positional.size() > 3) {
            spec = spec.withConnLog(Path.of(positional.get(3)));
        }
        final Written w = write(out, spec);
        System.err.printf(Locale.ROOT, "wrote %s: %d packets, %d bytes, %d flows%n", out, w.packets(), w.bytes(), w.flows());
    }

    /** A size with an optional K, M or G suffix (powers of 1024). */
    public static long parseSize(final String s) {
        final String t = s.trim().toUpperCase(Locale.ROOT);
        final long unit = t.endsWith("G") ? 1L << 30 : t.endsWith("M") ? 1L << 20 : t.endsWith("K") ? 1L << 10 : 1;
        return Long.parseLong(unit == 1 ? t : t.substring(0, t.length() - 1)) * unit;
    }

    /** One flow's fixed facts and counters. */
    private static final class Flow {
        int proto;
        boolean v6;
        long a;
        long b;
        int aPort;
        int bPort;
        int vlan;
        long firstTs;
        long lastTs;
        long origPkts;
        long respPkts;
        int remaining;
        String uid;
    }

    /** A pcap of about {@code targetBytes} with an optional TSV conn.log (the original entry point). */
    public static long write(final Path out, final long targetBytes, final long seed, final Path connLog) throws IOException {
        return write(out, Spec.defaults().withBytes(targetBytes).withSeed(seed).withConnLog(connLog)).packets();
    }

    public static Written write(final Path out, final Spec spec) throws IOException {
        if (spec.bytes() == Long.MAX_VALUE && spec.packets() == Long.MAX_VALUE) {
            throw new IllegalArgumentException("a synthetic capture needs a size or a packet count");
        }
        return spec.shape() == Shape.TRAFFIC ? TrafficCapture.write(out, spec) : writeUniform(out, spec);
    }

    private static Written writeUniform(final Path out, final Spec spec) throws IOException {
        final SplittableRandom rnd = new SplittableRandom(spec.seed());
        final Flow[] active = new Flow[ACTIVE_FLOWS];
        long ts = 1_700_000_000_000_000L; // µs
        long packets = 0;
        long flows = 0;
        long uidCounter = 0;
        final byte[] frame = new byte[MAX_FRAME];
        final ByteBuffer f = ByteBuffer.wrap(frame).order(ByteOrder.BIG_ENDIAN);
        try (OutputStream os = new BufferedOutputStream(Files.newOutputStream(out), 1 << 20);
             PrintWriter log = spec.connLog() == null ? null : new PrintWriter(Files.newBufferedWriter(spec.connLog()));
             PrintWriter json = spec.connLogJson() == null ? null : new PrintWriter(Files.newBufferedWriter(spec.connLogJson()))) {
            if (log != null) {
                log.print("#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#path\tconn\n"
                    + "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tduration\torig_pkts\tresp_pkts\tvlan\n"
                    + "#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tinterval\tcount\tcount\tint\n");
            }
            final CaptureFileWriter capture = new CaptureFileWriter(os, spec.format());
            while (packets < spec.packets()) {
                final int slot = rnd.nextInt(ACTIVE_FLOWS);
                Flow fl = active[slot];
                final boolean fresh = fl == null || fl.remaining == 0;
                if (fresh && fl != null) {
                    logFlow(log, json, fl);
                }
                final Flow next = fresh ? newFlow(rnd, ts, uidCounter) : fl;
                final long nextTs = ts + 1 + rnd.nextInt(40);
                final boolean fromA = rnd.nextInt(3) != 0;
                final int length = frameLength(rnd, next);
                final int caplen = build(f, next, fromA, length, rnd);
                if (capture.written() + capture.recordLength(caplen) > spec.bytes()) {
                    if (fresh) {
                        active[slot] = null;
                    }
                    break;
                }
                if (fresh) {
                    next.firstTs = nextTs;
                    uidCounter++;
                    flows++;
                    active[slot] = next;
                    fl = next;
                }
                ts = nextTs;
                capture.write(ts, frame, caplen);
                packets++;
                fl.remaining--;
                fl.lastTs = ts;
                if (fromA) {
                    fl.origPkts++;
                } else {
                    fl.respPkts++;
                }
            }
            for (Flow fl : active) {
                if (fl != null && fl.origPkts + fl.respPkts > 0) {
                    logFlow(log, json, fl);
                }
            }
            os.flush();
            return new Written(packets, capture.written(), flows);
        }
    }

    private static Flow newFlow(final SplittableRandom rnd, final long ts, final long n) {
        final Flow fl = new Flow();
        final int p = rnd.nextInt(10);
        fl.proto = p < 6 ? 6 : p < 9 ? 17 : 1;
        fl.v6 = rnd.nextInt(4) == 0;
        fl.a = rnd.nextLong();
        fl.b = rnd.nextLong();
        fl.aPort = fl.proto == 1 ? 8 : 1024 + rnd.nextInt(60000);
        fl.bPort = fl.proto == 1 ? 0 : rnd.nextInt(4) == 0 ? 443 : 1 + rnd.nextInt(65535);
        fl.vlan = rnd.nextInt(5) == 0 ? 1 + rnd.nextInt(4094) : -1;
        fl.firstTs = ts;
        fl.remaining = 2 + rnd.nextInt(rnd.nextInt(10) == 0 ? 2000 : 40);
        fl.uid = "C" + Long.toString(0x1000_0000_0000L + n * 7919, 36);
        return fl;
    }

    private static int frameLength(final SplittableRandom rnd, final Flow fl) {
        final int r = rnd.nextInt(100);
        if (fl.proto == 1) {
            return 98;
        }
        return r < 40 ? 66 + rnd.nextInt(30) : r < 75 ? 1514 : 200 + rnd.nextInt(1000);
    }

    private static int build(final ByteBuffer f, final Flow fl, final boolean fromA, final int length, final SplittableRandom rnd) {
        int p = 0;
        f.putLong(0, 0x0000_1122_3344_5566L << 16).putInt(6, 0x0000_AABB).putShort(10, (short) 0xCCDD);
        p = 12;
        if (fl.vlan >= 0) {
            f.putShort(p, (short) 0x8100).putShort(p + 2, (short) fl.vlan);
            p += 4;
        }
        f.putShort(p, (short) (fl.v6 ? 0x86DD : 0x0800));
        p += 2;
        final long src = fromA ? fl.a : fl.b;
        final long dst = fromA ? fl.b : fl.a;
        final int l4len;
        final int ipStart = p;
        final int header = fl.v6 ? 40 : 20;
        final int total = Math.max(length - p, header + 8);
        if (fl.v6) {
            f.putInt(p, 0x6000_0000).putShort(p + 4, (short) (total - 40)).put(p + 6, (byte) (fl.proto == 1 ? 58 : fl.proto))
                .put(p + 7, (byte) 64);
            f.putLong(p + 8, 0x2001_0DB8_0000_0000L).putLong(p + 16, src).putLong(p + 24, 0x2001_0DB8_0000_0000L).putLong(p + 32, dst);
            p += 40;
        } else {
            f.putShort(p, (short) 0x4500).putShort(p + 2, (short) total).putInt(p + 4, rnd.nextInt(65536) << 16)
                .put(p + 8, (byte) 64).put(p + 9, (byte) fl.proto).putShort(p + 10, (short) 0)
                .putInt(p + 12, 0x0A00_0000 | (int) (src & 0xFF_FFFF)).putInt(p + 16, 0x0A00_0000 | (int) (dst & 0xFF_FFFF));
            p += 20;
        }
        l4len = total - header;
        final int sport = fromA ? fl.aPort : fl.bPort;
        final int dport = fromA ? fl.bPort : fl.aPort;
        if (fl.proto == 1) {
            f.put(p, (byte) (fl.v6 ? (fromA ? 128 : 129) : (fromA ? 8 : 0))).put(p + 1, (byte) 0).putInt(p + 4, 1);
        } else {
            f.putShort(p, (short) sport).putShort(p + 2, (short) dport);
            if (fl.proto == 17) {
                f.putShort(p + 4, (short) l4len);
            } else {
                f.putInt(p + 4, rnd.nextInt()).putInt(p + 8, rnd.nextInt()).put(p + 12, (byte) 0x50).put(p + 13, (byte) 0x18);
            }
        }
        return ipStart + total;
    }

    private static void logFlow(final PrintWriter log, final PrintWriter json, final Flow fl) {
        if (log == null && json == null) {
            return;
        }
        final String a = fl.v6 ? v6(fl.a) : v4(fl.a);
        final String b = fl.v6 ? v6(fl.b) : v4(fl.b);
        final String proto = fl.proto == 6 ? "tcp" : fl.proto == 17 ? "udp" : "icmp";
        final int aPort = fl.proto == 1 ? (fl.v6 ? 128 : 8) : fl.aPort;
        final int bPort = fl.proto == 1 ? (fl.v6 ? 129 : 0) : fl.bPort;
        final long duration = fl.lastTs - fl.firstTs;
        if (log != null) {
            log.printf(Locale.ROOT, "%d.%06d\t%s\t%s\t%d\t%s\t%d\t%s\t%d.%06d\t%d\t%d\t%s%n",
                fl.firstTs / 1_000_000, fl.firstTs % 1_000_000, fl.uid, a, aPort, b, bPort, proto,
                duration / 1_000_000, duration % 1_000_000, fl.origPkts, fl.respPkts,
                fl.vlan < 0 ? "-" : Integer.toString(fl.vlan));
        }
        if (json != null) {
            json.printf(Locale.ROOT, "{\"ts\":%d.%06d,\"uid\":\"%s\",\"id.orig_h\":\"%s\",\"id.orig_p\":%d,\"id.resp_h\":\"%s\","
                    + "\"id.resp_p\":%d,\"proto\":\"%s\",\"duration\":%d.%06d,\"orig_pkts\":%d,\"resp_pkts\":%d%s}%n",
                fl.firstTs / 1_000_000, fl.firstTs % 1_000_000, fl.uid, a, aPort, b, bPort, proto,
                duration / 1_000_000, duration % 1_000_000, fl.origPkts, fl.respPkts,
                fl.vlan < 0 ? "" : ",\"vlan\":" + fl.vlan);
        }
    }

    private static String v4(final long x) {
        final int v = 0x0A00_0000 | (int) (x & 0xFF_FFFF);
        return ((v >>> 24) & 0xFF) + "." + ((v >>> 16) & 0xFF) + "." + ((v >>> 8) & 0xFF) + "." + (v & 0xFF);
    }

    private static String v6(final long x) {
        return String.format(Locale.ROOT, "2001:db8::%x:%x:%x:%x", (x >>> 48) & 0xFFFF, (x >>> 32) & 0xFFFF, (x >>> 16) & 0xFFFF, x & 0xFFFF);
    }
}
