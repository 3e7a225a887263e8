package io.scalpel.bench;

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
 * Writes a large, seeded, realistic-enough capture for benchmarks: classic pcap (µs, little
 * endian, Ethernet), a mix of TCP, UDP and ICMP over IPv4 and IPv6, a fifth of the frames
 * VLAN-tagged, frames of 60 to 1514 bytes averaging about 600, and many concurrent flows. With
 * a conn.log path it also writes one Zeek-style conn.log row per flow.
 *
 * <p>Usage: {@code SyntheticCapture OUT.pcap BYTES [SEED] [CONN.LOG]}
 */
public final class SyntheticCapture {
    private static final int ACTIVE_FLOWS = 4096;
    private static final int SNAPLEN = 65535;

    private SyntheticCapture() {
    }

    public static void main(final String[] args) throws IOException {
        if (args.length < 2) {
            System.err.println("usage: SyntheticCapture OUT.pcap BYTES [SEED] [CONN.LOG]");
            System.exit(2);
        }
        final Path out = Path.of(args[0]);
        final long target = parseSize(args[1]);
        final long seed = args.length > 2 ? Long.parseLong(args[2]) : 1;
        final Path conn = args.length > 3 ? Path.of(args[3]) : null;
        final long packets = write(out, target, seed, conn);
        System.err.printf(Locale.ROOT, "wrote %s: %d packets, %d bytes%n", out, packets, Files.size(out));
    }

    static long parseSize(final String s) {
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

    public static long write(final Path out, final long targetBytes, final long seed, final Path connLog) throws IOException {
        final SplittableRandom rnd = new SplittableRandom(seed);
        final Flow[] active = new Flow[ACTIVE_FLOWS];
        long ts = 1_700_000_000_000_000L; // µs
        long written = 24;
        long packets = 0;
        long uidCounter = 0;
        final byte[] frame = new byte[1600];
        final ByteBuffer f = ByteBuffer.wrap(frame).order(ByteOrder.BIG_ENDIAN);
        final ByteBuffer rec = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        try (OutputStream os = new BufferedOutputStream(Files.newOutputStream(out), 1 << 20);
             PrintWriter log = connLog == null ? null : new PrintWriter(Files.newBufferedWriter(connLog))) {
            if (log != null) {
                log.print("#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#path\tconn\n"
                    + "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tduration\torig_pkts\tresp_pkts\tvlan\n"
                    + "#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tinterval\tcount\tcount\tint\n");
            }
            final ByteBuffer h = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
            h.putInt(0xA1B2C3D4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(SNAPLEN).putInt(1);
            os.write(h.array());
            while (written < targetBytes) {
                final int slot = rnd.nextInt(ACTIVE_FLOWS);
                Flow fl = active[slot];
                if (fl == null || fl.remaining == 0) {
                    if (fl != null && log != null) {
                        logFlow(log, fl);
                    }
                    fl = newFlow(rnd, ts, uidCounter++);
                    active[slot] = fl;
                }
                ts += 1 + rnd.nextInt(40);
                final boolean fromA = rnd.nextInt(3) != 0;
                final int length = frameLength(rnd, fl);
                final int caplen = build(f, fl, fromA, length, rnd);
                rec.clear();
                rec.putInt((int) (ts / 1_000_000)).putInt((int) (ts % 1_000_000)).putInt(caplen).putInt(caplen);
                os.write(rec.array());
                os.write(frame, 0, caplen);
                written += 16 + caplen;
                packets++;
                fl.remaining--;
                fl.lastTs = ts;
                if (fromA) {
                    fl.origPkts++;
                } else {
                    fl.respPkts++;
                }
            }
            if (log != null) {
                for (Flow fl : active) {
                    if (fl != null && fl.origPkts + fl.respPkts > 0) {
                        logFlow(log, fl);
                    }
                }
            }
        }
        return packets;
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

    private static void logFlow(final PrintWriter log, final Flow fl) {
        final String a = fl.v6 ? v6(fl.a) : v4(fl.a);
        final String b = fl.v6 ? v6(fl.b) : v4(fl.b);
        final String proto = fl.proto == 6 ? "tcp" : fl.proto == 17 ? "udp" : "icmp";
        final int aPort = fl.proto == 1 ? (fl.v6 ? 128 : 8) : fl.aPort;
        final int bPort = fl.proto == 1 ? (fl.v6 ? 129 : 0) : fl.bPort;
        log.printf(Locale.ROOT, "%d.%06d\t%s\t%s\t%d\t%s\t%d\t%s\t%d.%06d\t%d\t%d\t%s%n",
            fl.firstTs / 1_000_000, fl.firstTs % 1_000_000, fl.uid, a, aPort, b, bPort, proto,
            (fl.lastTs - fl.firstTs) / 1_000_000, (fl.lastTs - fl.firstTs) % 1_000_000, fl.origPkts, fl.respPkts,
            fl.vlan < 0 ? "-" : Integer.toString(fl.vlan));
    }

    private static String v4(final long x) {
        final int v = 0x0A00_0000 | (int) (x & 0xFF_FFFF);
        return ((v >>> 24) & 0xFF) + "." + ((v >>> 16) & 0xFF) + "." + ((v >>> 8) & 0xFF) + "." + (v & 0xFF);
    }

    private static String v6(final long x) {
        return String.format(Locale.ROOT, "2001:db8::%x:%x:%x:%x", (x >>> 48) & 0xFFFF, (x >>> 32) & 0xFFFF, (x >>> 16) & 0xFFFF, x & 0xFFFF);
    }
}
