package io.scalpel.follow;

import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Where conn records come from as Zeek logs them: a Kafka topic ({@link KafkaConnSource}) or a
 * growing conn.log ({@link ConnLogTail}). A new source is a new implementation: it reads records
 * in order within each of its partitions, and keeps (commits) the position up to which every
 * record is done, so that a restart goes on from there (at least once).
 */
public interface ConnSource extends Closeable {
    /**
     * What arrived, waiting at most {@code wait} for something.
     *
     * @param wait the longest wait
     * @return the records read, in order within each partition (possibly none)
     * @throws IOException when the source cannot be read on
     */
    List<Arrival> poll(Duration wait) throws IOException;

    /**
     * Stops reading new records (too many wait for the capture) or reads on; {@link #poll} still
     * keeps the source alive while paused.
     *
     * @param paused whether to stop reading
     */
    void pause(boolean paused);

    /**
     * Keeps, for each partition, the position after which nothing is done yet.
     *
     * @param next the position to go on from, by partition
     * @throws IOException when it cannot be kept
     */
    void commit(Map<String, Long> next) throws IOException;

    /**
     * The partitions taken away since the last call (another consumer of the group reads them
     * now): their records still waiting are dropped, not written twice.
     *
     * @return the partitions, possibly none
     */
    Set<String> revoked();

    /**
     * How many records (or bytes, for a file) the source holds that were not read yet, or -1 when
     * it cannot tell (a consumer not given a partition yet).
     *
     * @return the records behind
     */
    long lag();

    /**
     * What the source is, for messages ({@code kafka 127.0.0.1:9092 topic zeek}, {@code conn.log}).
     *
     * @return its name
     */
    String name();
}
