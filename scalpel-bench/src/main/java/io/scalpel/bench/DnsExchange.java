package io.scalpel.bench;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * The DNS query of a traffic-shaped connection and its response: a random name under a few made-up
 * domains, type A (70 %) or AAAA, one to eight answers, and the messages' bytes as a resolver
 * would send them (the answers point back at the question's name).
 */
final class DnsExchange {
    private static final int HEADER = 12;
    private static final int TYPE_A = 1;
    private static final int TYPE_AAAA = 28;
    /** An answer's fixed fields: name pointer, type, class, TTL, data length. */
    private static final int ANSWER_FIXED = 12;
    private static final String[] HOSTS = {"www", "api", "cdn", "img", "static", "mail", "login", "update", "edge",
        "telemetry", "ocsp", "time", "assets", "auth"};
    private static final String[] DOMAINS = {"example", "contoso", "fabrikam", "northwind", "acme", "globex",
        "initech", "umbrella", "hooli", "wonka"};
    private static final String[] SUFFIXES = {"com", "net", "org", "io", "de", "co.uk"};

    private final int id;
    private final int answers;
    /** The question as it is on the wire: the name's labels, then type and class. */
    private final byte[] question;

    /** A query drawn from {@code rnd}. */
    DnsExchange(final SplittableRandom rnd) {
        id = rnd.nextInt(0x10000);
        answers = 1 + (rnd.nextInt(3) == 0 ? rnd.nextInt(8) : 0);
        question = question(rnd);
    }

    /** Bytes of the query message. */
    int queryLength() {
        return HEADER + question.length;
    }

    /** Bytes of the response message: the query's, and the answers. */
    int responseLength() {
        return queryLength() + answers * (ANSWER_FIXED + (type() == TYPE_AAAA ? 16 : 4));
    }

    /**
     * Writes the query ({@code query}) or the response at {@code at} of {@code frame}; the answers'
     * addresses are drawn from {@code serial}, the connection's number.
     */
    void write(final byte[] frame, final int at, final boolean query, final long serial) {
        final int type = type();
        int p = at;
        frame[p] = (byte) (id >>> 8);
        frame[p + 1] = (byte) id;
        frame[p + 2] = (byte) (query ? 0x01 : 0x81); // query with recursion desired; response, recursion available
        frame[p + 3] = (byte) (query ? 0x00 : 0x80);
        frame[p + 5] = 1; // one question
        frame[p + 7] = (byte) (query ? 0 : answers);
        p += HEADER;
        System.arraycopy(question, 0, frame, p, question.length);
        p += question.length;
        if (query) {
            return;
        }
        final int rdLength = type == TYPE_AAAA ? 16 : 4;
        for (int i = 0; i < answers; i++) {
            frame[p] = (byte) 0xC0; // the name: a pointer to the question's
            frame[p + 1] = HEADER;
            frame[p + 3] = (byte) type;
            frame[p + 5] = 1; // class IN
            frame[p + 8] = 1; // TTL 300 s
            frame[p + 9] = 44;
            frame[p + 11] = (byte) rdLength;
            final long address = Long.rotateLeft(serial * 0x9E37_79B9_7F4A_7C15L, 8 * i);
            for (int j = 0; j < rdLength; j++) {
                frame[p + ANSWER_FIXED + j] = (byte) (address >>> (8 * (j & 7)));
            }
            p += ANSWER_FIXED + rdLength;
        }
    }

    private int type() {
        return (question[question.length - 3] & 0xFF);
    }

    private static byte[] question(final SplittableRandom rnd) {
        final String name = HOSTS[rnd.nextInt(HOSTS.length)] + (rnd.nextInt(3) == 0 ? Integer.toString(rnd.nextInt(100)) : "")
            + "." + DOMAINS[rnd.nextInt(DOMAINS.length)] + (rnd.nextBoolean() ? Integer.toString(rnd.nextInt(1000)) : "")
            + "." + SUFFIXES[rnd.nextInt(SUFFIXES.length)];
        final byte[] ascii = name.getBytes(StandardCharsets.US_ASCII);
        final byte[] q = new byte[ascii.length + 2 + 4];
        int label = 0;
        for (int i = 0; i <= ascii.length; i++) {
            if (i == ascii.length || ascii[i] == '.') {
                q[label] = (byte) (i - label);
                label = i + 1;
            } else {
                q[i + 1] = ascii[i];
            }
        }
        // after the root label: type and class IN
        q[q.length - 3] = (byte) (rnd.nextInt(10) < 7 ? TYPE_A : TYPE_AAAA);
        q[q.length - 1] = 1;
        return q;
    }
}
