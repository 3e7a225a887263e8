package io.scalpel.follow;

import io.scalpel.testdata.ConnLogForms;
import io.scalpel.testdata.TruthConn;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Plays a sensor: copies a {@link LiveScenario}'s capture to the live file in steps and, after
 * each step, sends to Kafka the conn records of the connections whose frames are all written, as
 * Zeek's Kafka writer may send them: flat Zeek JSON with ts in seconds, tagged with
 * {@code "_path":"conn"} and ts in milliseconds, or wrapped as {@code {"conn": ...}} with ts in ISO
 * 8601, in turn. Between them go records of other logs (dns flat, http tagged, ssl wrapped: uid
 * and id.* like a conn record) and a few bad records.
 */
final class ZeekKafkaWriter {
    /** What was sent besides the conn records. */
    record Sent(int conns, int otherLogs, int bad) {
    }

    private final LiveScenario scenario;
    private final Map<String, String> seconds;
    private final Map<String, String> millis;
    private final Map<String, String> iso;

    ZeekKafkaWriter(final LiveScenario scenario, final Path dir) throws IOException {
        this.scenario = scenario;
        this.seconds = scenario.jsonLines(dir, ConnLogForms.Ts.EPOCH_SECONDS);
        this.millis = scenario.jsonLines(dir, ConnLogForms.Ts.EPOCH_MILLIS);
        this.iso = scenario.jsonLines(dir, ConnLogForms.Ts.ISO_MICROS);
    }

    /** The record of the {@code i}-th connection sent, in the shape of its turn. */
    String connRecord(final int i, final TruthConn c) {
        switch (i % 3) {
            case 0:
                return seconds.get(c.uid());
            case 1:
                return "{\"_path\":\"conn\"," + millis.get(c.uid()).substring(1);
            default:
                return "{\"conn\":" + iso.get(c.uid()) + "}";
        }
    }

    /** A record of another log about the same connection, in the shape of its turn. */
    static String otherLog(final int i, final TruthConn c) {
        final String body = "\"ts\":" + (c.tsNanos() / 1_000_000_000L) + ",\"uid\":\"" + c.uid() + "\",\"id.orig_h\":\""
            + c.origH() + "\",\"id.orig_p\":" + c.origP() + ",\"id.resp_h\":\"" + c.respH() + "\",\"id.resp_p\":" + c.respP();
        switch (i % 3) {
            case 0:
                return "{" + body + ",\"proto\":\"udp\",\"query\":\"example.com\",\"qtype_name\":\"A\"}";
            case 1:
                return "{\"_path\":\"http\"," + body + ",\"method\":\"GET\",\"host\":\"example.com\"}";
            default:
                return "{\"ssl\":{" + body + ",\"version\":\"TLSv13\"}}";
        }
    }

    /**
     * Writes the capture to {@code live} in {@code steps} steps, {@code pauseMillis} apart, and
     * sends the records as they become due; the rest at the end.
     */
    Sent run(final KafkaProducer<byte[], byte[]> producer, final String topic, final Path live, final int steps,
             final long pauseMillis) throws Exception {
        scenario.startLive(live);
        long written = io.scalpel.testing.PcapFile.FILE_HEADER_LENGTH;
        int next = 0;
        int others = 0;
        int bad = 0;
        for (int s = 1; s <= steps; s++) {
            // Steps end anywhere, mid-record too.
            final long to = s == steps ? scenario.captureLength() : Math.min(scenario.captureLength(),
                written + (scenario.captureLength() - 24L) / steps + 7);
            scenario.append(live, written, to);
            written = to;
            while (next < scenario.byEnd.size() && scenario.endOffset(scenario.byEnd.get(next)) <= written) {
                final TruthConn c = scenario.byEnd.get(next);
                send(producer, topic, connRecord(next, c));
                if (next % 4 == 0) {
                    send(producer, topic, otherLog(others++, c));
                }
                next++;
            }
            if (s == steps / 2) {
                send(producer, topic, "this is not JSON");
                send(producer, topic, "{\"_path\":\"conn\",\"uid\":\"CNoTuple1\",\"ts\":1700000000.5}");
                bad += 2;
            }
            producer.flush();
            TimeUnit.MILLISECONDS.sleep(pauseMillis);
        }
        while (next < scenario.byEnd.size()) {
            send(producer, topic, connRecord(next, scenario.byEnd.get(next)));
            next++;
        }
        producer.flush();
        return new Sent(next, others, bad);
    }

    static void send(final KafkaProducer<byte[], byte[]> producer, final String topic, final String value) {
        producer.send(new ProducerRecord<>(topic, value.getBytes(StandardCharsets.UTF_8)));
    }
}
