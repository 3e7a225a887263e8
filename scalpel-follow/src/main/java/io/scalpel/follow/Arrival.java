package io.scalpel.follow;

import io.scalpel.zeek.ConnRecord;

/**
 * One record as a {@link ConnSource} read it: where it is ({@code partition}, {@code offset}) and
 * where the source goes on after it ({@code next}, the position committed once it is done), with
 * its conn record, or null for a record that is not one (another log, a bad record), which is
 * done as soon as it is read.
 *
 * @param partition    the source's partition ({@code topic-N}, or a generation of a tailed file)
 * @param offset       the record's position in its partition (a Kafka offset, a byte offset)
 * @param next         the position after it: what is committed once it and every record before it are done
 * @param conn         the conn record, or null
 * @param arrivedNanos when it was read, {@link System#nanoTime()}
 * @param sentNanos    when it was sent, on the same clock: a Kafka record's timestamp (its
 *                     producer's time), or when a line was read; what the delay to its extract is
 *                     counted from
 */
public record Arrival(String partition, long offset, long next, ConnRecord conn, long arrivedNanos, long sentNanos) {
}
