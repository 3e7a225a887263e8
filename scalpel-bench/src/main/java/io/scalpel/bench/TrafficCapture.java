package io.scalpel.bench;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.SplittableRandom;

/**
 * The traffic-shaped workload of {@link SyntheticCapture}: a capture shaped like an enterprise
 * uplink's, with its Zeek conn.log.
 *
 * <p>Connections start at random (a Poisson process of {@link #CONNECTIONS_PER_SECOND} a second)
 * and are of these kinds ({@link TrafficConnection.Kind}): DNS queries and responses (44 %),
 * short TCP connections with a handshake, one to four request/response rounds and a real ending
 * (52 %: FIN, FIN and the last ACK after the second FIN, sometimes that FIN sent again, FIN
 * answered by RST, an abort by RST, or no close), NTP (2 %), ICMP echo (1.5 %), and a few long
 * ones: downloads of hundreds to thousands of full-size segments (0.3 %) and interactive
 * sessions of minutes (0.5 %). About a fifth of the connections are IPv6, and two fifths of the
 * clients sit on VLANs (one 802.1Q tag, or 802.1ad outside 802.1Q). Frames are about 550 bytes
 * on average: many ACKs and DNS messages, many 1 514-byte segments. That is about 100 000
 * connections, 1.9 million frames and 15 seconds of traffic per GiB.
 *
 * <p>Memory does not grow with the capture: the live connections wait in a queue ordered by
 * their next packet's time, each holding only its next few packets, and a connection is logged
 * and dropped once it sent its last packet. When the size or packet budget runs out, the
 * connections still open are logged with what they sent, as Zeek logs them when it stops.
 */
final class TrafficCapture {
    static final int CONNECTIONS_PER_SECOND = 230;
    /** The first connection's start: 2023-11-14T22:13:20Z, in µs. */
    static final long START_MICROS = 1_700_000_000_000_000L;
    private static final double MEAN_GAP_MICROS = 1e6 / CONNECTIONS_PER_SECOND;
    private static final String BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private static final Comparator<TrafficConnection> BY_NEXT_PACKET =
        Comparator.comparingLong(TrafficConnection::nextTs).thenComparingLong(c -> c.serial);

    private TrafficCapture() {
    }

    static SyntheticCapture.Written write(final Path out, final SyntheticCapture.Spec spec) throws IOException {
        final SplittableRandom rnd = new SplittableRandom(spec.seed());
        final TrafficHosts hosts = new TrafficHosts(rnd.split());
        final PriorityQueue<TrafficConnection> live = new PriorityQueue<>(BY_NEXT_PACKET);
        final TrafficFrames frames = new TrafficFrames();
        long nextStart = START_MICROS;
        long serial = 0;
        long packets = 0;
        long flows = 0;
        try (OutputStream os = new BufferedOutputStream(Files.newOutputStream(out), 1 << 20);
             Writer tsv = spec.connLog() == null ? null : Files.newBufferedWriter(spec.connLog(), StandardCharsets.UTF_8);
             Writer json = spec.connLogJson() == null ? null : Files.newBufferedWriter(spec.connLogJson(), StandardCharsets.UTF_8);
             TrafficConnLog log = new TrafficConnLog(tsv, json, START_MICROS)) {
            final CaptureFileWriter capture = new CaptureFileWriter(os, spec.format());
            while (packets < spec.packets()) {
                final TrafficConnection earliest = live.peek();
                if (earliest == null || nextStart <= earliest.nextTs()) {
                    live.add(new TrafficConnection(kind(rnd), hosts, rnd.split(), nextStart, serial, uid(spec.seed(), serial)));
                    serial++;
                    nextStart += Math.max(1, (long) (-Math.log(1 - rnd.nextDouble()) * MEAN_GAP_MICROS));
                    continue;
                }
                final int caplen = frames.build(earliest);
                if (capture.written() + capture.recordLength(caplen) > spec.bytes()) {
                    break;
                }
                live.poll();
                capture.write(earliest.nextTs(), frames.frame(), caplen);
                earliest.sent(frames.ipLength());
                packets++;
                if (earliest.done()) {
                    log.write(earliest);
                    flows++;
                } else {
                    live.add(earliest);
                }
            }
            // still open when the capture stops: logged with what they sent, in the order they started
            final List<TrafficConnection> open = new ArrayList<>(live);
            open.sort(Comparator.comparingLong(c -> c.serial));
            for (TrafficConnection c : open) {
                if (c.tally().firstTs() >= 0) {
                    log.write(c);
                    flows++;
                }
            }
            os.flush();
            return new SyntheticCapture.Written(packets, capture.written(), flows);
        }
    }

    private static TrafficConnection.Kind kind(final SplittableRandom rnd) {
        final int roll = rnd.nextInt(10_000);
        if (roll < 4400) {
            return TrafficConnection.Kind.DNS;
        }
        if (roll < 4600) {
            return TrafficConnection.Kind.NTP;
        }
        if (roll < 4750) {
            return TrafficConnection.Kind.ICMP_ECHO;
        }
        if (roll < 4770) {
            return TrafficConnection.Kind.BULK;
        }
        if (roll < 4820) {
            return TrafficConnection.Kind.INTERACTIVE;
        }
        return TrafficConnection.Kind.WEB;
    }

    /**
     * A uid as Zeek's look: "C" and 17 base-62 characters. The first 11 characters are a
     * bijection of the serial number (for a given seed), so no two connections share one.
     */
    static String uid(final long seed, final long serial) {
        final char[] u = new char[18];
        u[0] = 'C';
        long unique = mix(serial + seed * 0x9E37_79B9_7F4A_7C15L);
        for (int i = 11; i >= 1; i--) {
            u[i] = BASE62.charAt((int) Long.remainderUnsigned(unique, 62));
            unique = Long.divideUnsigned(unique, 62);
        }
        long more = mix(~serial ^ seed);
        for (int i = 12; i < u.length; i++) {
            u[i] = BASE62.charAt((int) Long.remainderUnsigned(more, 62));
            more = Long.divideUnsigned(more, 62);
        }
        return new String(u);
    }

    /** SplitMix64's finaliser: a bijection of 64-bit values. */
    private static long mix(final long x) {
        long z = x;
        z = (z ^ (z >>> 30)) * 0xBF58_476D_1CE4_E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D0_49BB_1331_11EBL;
        return z ^ (z >>> 31);
    }
}
