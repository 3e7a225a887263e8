package io.scalpel.bench;

import io.scalpel.bench.TrafficConnection.Kind;
import java.util.SplittableRandom;

/**
 * The packets of a TCP connection of a traffic-shaped capture, planned a phase at a time into its
 * {@link PacketPlan}: the handshake (sometimes unanswered or refused), request and response rounds
 * (two TLS rounds first on the TLS ports; a response of up to a ring's worth of full segments at a
 * time, acknowledged as Linux does), keystrokes and their echoes for an interactive session, and
 * the endings real connections have (as the test captures' generator plans them).
 */
final class TcpExchange {
    private static final long MS = 1_000;
    private static final long SECOND = 1_000_000;
    private static final int MSS_V4 = 1448; // 1514-byte frames: Ethernet 14, IPv4 20, TCP 32 (timestamps)
    private static final int MSS_V6 = 1428; // Ethernet 14, IPv6 40, TCP 32
    /** Response segments the client acknowledges one by one at the start of a connection (quick ACKs). */
    private static final int QUICK_ACKS = 10;
    private static final int TCP_FIN = TrafficConnection.TCP_FIN;
    private static final int TCP_SYN = TrafficConnection.TCP_SYN;
    private static final int TCP_RST = TrafficConnection.TCP_RST;
    private static final int TCP_PSH = TrafficConnection.TCP_PSH;
    private static final int TCP_ACK = TrafficConnection.TCP_ACK;

    private enum Phase { HANDSHAKE, REQUEST, RESPONSE, KEYSTROKE, CLOSE, DONE }

    private enum Closing { GRACEFUL, FIN_SENT_AGAIN, FIN_THEN_RST, ABORT, OPEN }

    private final Kind kind;
    private final SplittableRandom rnd;
    private final boolean v6;
    private final int respPort;
    private final long rtt;
    private final PacketPlan plan;
    /** What was sent so far: the first request comes after a longer think time. */
    private final ConnTally tally;
    private Phase phase = Phase.HANDSHAKE;
    private int roundsLeft;
    /** TLS handshake rounds still to come before the first request: ClientHello, then the client's Finished. */
    private int tlsRoundsLeft;
    private int segmentsLeft;
    private int lastSegmentPayload;
    /** How far apart (µs) a response's segments come. */
    private long segmentGap;
    private int unacked;
    /** Response segments planned so far: the client acknowledges each of its first ones (quick ACKs). */
    private int segmentsPlanned;
    /** Where a response's segments have got to (µs): the next one follows it by about {@link #segmentGap}. */
    private long clock;

    /**
     * The exchange of a connection of {@code kind} to {@code respPort}, whose round trip takes
     * {@code rtt} µs, drawing from {@code rnd}.
     */
    TcpExchange(final Kind kind, final SplittableRandom rnd, final boolean v6, final int respPort,
                final long rtt, final PacketPlan plan, final ConnTally tally) {
        this.kind = kind;
        this.rnd = rnd;
        this.v6 = v6;
        this.respPort = respPort;
        this.rtt = rtt;
        this.plan = plan;
        this.tally = tally;
    }

    /** True when every packet of the connection has been planned. */
    boolean over() {
        return phase == Phase.DONE;
    }

    /** Plans the next phase: some packets, or none when the phase planned none (the next call plans more). */
    void planPhase() {
        switch (phase) {
            case HANDSHAKE -> planHandshake();
            case REQUEST -> planRequest();
            case RESPONSE -> planResponse();
            case KEYSTROKE -> planKeystroke();
            case CLOSE -> planClose();
            default -> throw new IllegalStateException(phase.name());
        }
    }

    private void planHandshake() {
        final int roll = rnd.nextInt(100);
        if (kind == Kind.WEB && roll < 3) {
            // nobody answers: the SYN is sent again after 1 s and 3 s more
            plan.add(plan.cursor(), true, TCP_SYN, 0, false);
            plan.add(plan.cursor() + SECOND, true, TCP_SYN, 0, true);
            plan.add(plan.cursor() + 2 * SECOND, true, TCP_SYN, 0, true);
            phase = Phase.DONE;
            return;
        }
        if (kind == Kind.WEB && roll < 5) {
            // refused
            plan.add(plan.cursor(), true, TCP_SYN, 0);
            plan.add(plan.cursor() + rtt, false, TCP_RST | TCP_ACK, 0);
            phase = Phase.DONE;
            return;
        }
        plan.add(plan.cursor(), true, TCP_SYN, 0);
        plan.add(plan.cursor() + rtt, false, TCP_SYN | TCP_ACK, 0);
        plan.add(plan.cursor() + 20 + rnd.nextInt(300), true, TCP_ACK, 0);
        switch (kind) {
            case WEB -> roundsLeft = rnd.nextInt(100) < 65 ? 1 : 2 + rnd.nextInt(3);
            case BULK -> roundsLeft = 1;
            default -> roundsLeft = (int) logUniform(20, 600);
        }
        tlsRoundsLeft = respPort == 443 || respPort == 8443 || respPort == 993 ? 2 : 0;
        phase = kind == Kind.INTERACTIVE ? Phase.KEYSTROKE : Phase.REQUEST;
    }

    private void planRequest() {
        final boolean first = tally.origBytes() == 0;
        final long think = first || tlsRoundsLeft > 0 ? 100 + rnd.nextInt(3000)
            : 5 * MS + (long) (-Math.log(1 - rnd.nextDouble()) * 300 * MS);
        final int mss = v6 ? MSS_V6 : MSS_V4;
        final long bytes;
        if (tlsRoundsLeft == 2) {
            // ClientHello; ServerHello, certificates and the server's Finished
            plan.add(plan.cursor() + think, true, TCP_PSH | TCP_ACK, 300 + rnd.nextInt(400));
            bytes = 2800 + rnd.nextInt(2800);
            segmentGap = 15 + rnd.nextInt(185);
        } else if (tlsRoundsLeft == 1) {
            // the client's Finished; the server's session tickets
            plan.add(plan.cursor() + think, true, TCP_PSH | TCP_ACK, 64 + rnd.nextInt(70));
            bytes = 200 + rnd.nextInt(300);
            segmentGap = 15 + rnd.nextInt(185);
        } else {
            plan.add(plan.cursor() + think, true, TCP_PSH | TCP_ACK, 150 + rnd.nextInt(1100));
            bytes = responseBytes(mss);
        }
        segmentsLeft = (int) ((bytes + mss - 1) / mss);
        lastSegmentPayload = (int) (bytes - (long) (segmentsLeft - 1) * mss);
        unacked = 0;
        final long requestAt = plan.cursor();
        if (rnd.nextBoolean()) {
            // the server acknowledges the request before it answers
            plan.add(requestAt + rtt, false, TCP_ACK, 0);
        }
        // the server's time to answer, counted from the request; the first segment follows one gap later
        clock = requestAt + rtt + 300 + rnd.nextInt(30_000) - segmentGap;
        phase = Phase.RESPONSE;
        planResponse();
    }

    /** Size of a response (sets {@link #segmentGap}, how fast it comes). */
    private long responseBytes(final int mss) {
        final long bytes;
        if (kind == Kind.BULK) {
            bytes = (long) logUniform(100, 3000) * mss;
            segmentGap = 40 + rnd.nextInt(760);
        } else {
            final int roll = rnd.nextInt(100);
            bytes = roll < 55 ? 200 + rnd.nextInt(mss - 200) : roll < 92 ? (long) ((1 + rnd.nextDouble() * 5) * mss)
                : (long) ((6 + rnd.nextDouble() * 24) * mss);
            segmentGap = 15 + rnd.nextInt(385);
        }
        return bytes;
    }

    /**
     * Up to a ring's worth of the response's segments, the client acknowledging each of the first
     * {@link #QUICK_ACKS} segments of the connection and every second one after them, as Linux does.
     */
    private void planResponse() {
        final int mss = v6 ? MSS_V6 : MSS_V4;
        while (segmentsLeft > 0 && plan.size() <= PacketPlan.CAPACITY - 2) {
            final boolean last = segmentsLeft == 1;
            final long gap = segmentGap / 2 + rnd.nextLong(Math.max(1, segmentGap));
            final long at = Math.max(plan.cursor(), clock + Math.max(3, gap));
            clock = at;
            plan.add(at, false, TCP_ACK | (last ? TCP_PSH : 0), last ? lastSegmentPayload : mss);
            segmentsLeft--;
            segmentsPlanned++;
            if (++unacked == 2 || last || segmentsPlanned <= QUICK_ACKS) {
                plan.add(at + 1 + rnd.nextLong(Math.max(1, segmentGap / 3)), true, TCP_ACK, 0);
                unacked = 0;
            }
            if (kind == Kind.BULK && rnd.nextInt(400) == 0) {
                clock += 10 * MS + rnd.nextInt(300) * MS; // the sender stalls
            }
        }
        if (segmentsLeft == 0) {
            if (tlsRoundsLeft > 0) {
                tlsRoundsLeft--;
            } else {
                roundsLeft--;
            }
            phase = roundsLeft > 0 ? (kind == Kind.INTERACTIVE ? Phase.KEYSTROKE : Phase.REQUEST) : Phase.CLOSE;
        }
    }

    private void planKeystroke() {
        final long idle = Math.min(30 * SECOND, 20 * MS + (long) (-Math.log(1 - rnd.nextDouble()) * 1500 * MS));
        plan.add(plan.cursor() + idle, true, TCP_PSH | TCP_ACK, 36 + rnd.nextInt(64));
        if (rnd.nextInt(10) == 0) {
            // a command's output: a few full segments
            final int mss = v6 ? MSS_V6 : MSS_V4;
            segmentsLeft = 2 + rnd.nextInt(11);
            lastSegmentPayload = 100 + rnd.nextInt(mss - 100);
            segmentGap = 50 + rnd.nextInt(400);
            unacked = 0;
            clock = plan.cursor() + rtt - segmentGap;
            phase = Phase.RESPONSE;
            planResponse();
            return;
        }
        plan.add(plan.cursor() + rtt, false, TCP_PSH | TCP_ACK, 36 + rnd.nextInt(164));
        plan.add(plan.cursor() + 20 + rnd.nextInt(40 * 1000), true, TCP_ACK, 0);
        if (--roundsLeft == 0) {
            phase = Phase.CLOSE;
        }
    }

    /** The endings real connections have (as the test captures' generator plans them). */
    private void planClose() {
        // most close at once; kept-alive connections idle until a timeout first
        final long idle = rnd.nextInt(100) < 30 ? SECOND + rnd.nextLong(64 * SECOND) : 100 + rnd.nextLong(50 * MS);
        final long t = plan.cursor() + idle;
        final int roll = rnd.nextInt(100);
        final Closing closing = roll < 55 ? Closing.GRACEFUL : roll < 65 ? Closing.FIN_SENT_AGAIN : roll < 75 ? Closing.FIN_THEN_RST
            : roll < 88 ? Closing.ABORT : Closing.OPEN;
        final int finAck = TCP_FIN | TCP_ACK;
        final int rstAck = TCP_RST | TCP_ACK;
        switch (closing) {
            case GRACEFUL, FIN_SENT_AGAIN -> {
                final boolean origFirst = rnd.nextInt(10) < 7;
                plan.add(t, origFirst, finAck, 0);
                plan.add(t + rtt, !origFirst, finAck, 0);
                plan.add(plan.cursor() + 20 + rnd.nextLong(2 * MS), origFirst, TCP_ACK, 0);
                if (closing == Closing.FIN_SENT_AGAIN) {
                    // the last ACK was lost: the second FIN is sent again, and acknowledged again
                    plan.add(plan.cursor() + 200 * MS + rnd.nextLong(1300 * MS), !origFirst, finAck, 0, true);
                    plan.add(plan.cursor() + rtt, origFirst, TCP_ACK, 0);
                }
            }
            case FIN_THEN_RST -> {
                plan.add(t, true, finAck, 0);
                plan.add(t + rtt, false, rstAck, 0);
                if (rnd.nextBoolean()) {
                    // an ACK that crossed the RST, and the RST it draws
                    plan.add(plan.cursor() + 20 + rnd.nextLong(2 * MS), true, TCP_ACK, 0);
                    plan.add(plan.cursor() + rtt, false, rstAck, 0);
                }
            }
            case ABORT -> {
                plan.add(t, true, rstAck, 0);
                if (rnd.nextBoolean()) {
                    // data already in flight from the responder, and the RST it draws
                    plan.add(plan.cursor() + MS + rnd.nextLong(50 * MS), false, TCP_PSH | TCP_ACK, 1 + rnd.nextInt(1000));
                    plan.add(plan.cursor() + 20 + rnd.nextLong(2 * MS), true, TCP_RST, 0);
                }
            }
            default -> {
                // never closed in the capture: one last request, sometimes acknowledged
                plan.add(t, true, TCP_PSH | TCP_ACK, 1 + rnd.nextInt(500));
                if (rnd.nextBoolean()) {
                    plan.add(plan.cursor() + rtt, false, TCP_ACK, 0);
                }
            }
        }
        phase = Phase.DONE;
    }

    private double logUniform(final double low, final double high) {
        return low * Math.exp(rnd.nextDouble() * Math.log(high / low));
    }
}
