package io.scalpel.index;

import io.scalpel.capture.CaptureReader;
import io.scalpel.capture.PcapReader;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.Type;

/**
 * The unit of the timestamps in an index's tables ({@code ts}, {@code dgram_ts}, {@code first_ts},
 * {@code last_ts}): microseconds for a classic pcap of microsecond resolution, whose timestamps
 * are all whole microseconds, nanoseconds for every other capture. Stored in the unit the capture
 * has, a timestamp's delta from the row before costs ten bits less than in nanoseconds, about
 * 1.2 bytes a frame. Every part of an index has the same unit, which its Parquet schema states
 * ({@code TIMESTAMP(MICROS)} or {@code TIMESTAMP(NANOS)}), so SQL engines read the values as the
 * times they are; the code above the tables sees nanoseconds only.
 */
enum TimestampUnit {
    MICROS(1000, LogicalTypeAnnotation.TimeUnit.MICROS, "microseconds"),
    NANOS(1, LogicalTypeAnnotation.TimeUnit.NANOS, "nanoseconds");

    private final long nanos;
    private final LogicalTypeAnnotation.TimeUnit parquet;
    private final String words;

    TimestampUnit(final long nanos, final LogicalTypeAnnotation.TimeUnit parquet, final String words) {
        this.nanos = nanos;
        this.parquet = parquet;
        this.words = words;
    }

    /** The unit in a message: {@code microseconds}, {@code nanoseconds}. */
    @Override
    public String toString() {
        return words;
    }

    /** The unit of the index of what {@code reader} reads: microseconds for a classic pcap of microsecond magic. */
    static TimestampUnit of(final CaptureReader reader) {
        return reader instanceof PcapReader p && !p.nanosecondResolution() ? MICROS : NANOS;
    }

    /** The unit of the index {@code manifest} describes (the rule of {@link #of(CaptureReader)}, from what the manifest records). */
    static TimestampUnit of(final IndexManifest manifest) {
        return "pcap".equals(manifest.captureFormat()) && Boolean.FALSE.equals(manifest.nanosecond()) ? MICROS : NANOS;
    }

    /** The unit that {@code column} of {@code schema} states, or null when it is not a timestamp of one of these units. */
    static TimestampUnit of(final MessageType schema, final String column) {
        if (!schema.containsField(column)) {
            return null;
        }
        final Type t = schema.getType(column);
        if (t.getLogicalTypeAnnotation() instanceof LogicalTypeAnnotation.TimestampLogicalTypeAnnotation ts) {
            for (TimestampUnit u : values()) {
                if (u.parquet == ts.getUnit()) {
                    return u;
                }
            }
        }
        return null;
    }

    /** The Parquet logical type of a column of this unit. */
    LogicalTypeAnnotation logicalType() {
        return LogicalTypeAnnotation.timestampType(true, parquet);
    }

    /** The stored value of a time of this unit, in ns since the epoch. */
    long fromNanos(final long ns) {
        return Math.floorDiv(ns, nanos);
    }

    /** The least stored value of a time at or after {@code ns}: a filter's lower bound. */
    long atLeast(final long ns) {
        return Math.floorDiv(ns, nanos) + (Math.floorMod(ns, nanos) == 0 ? 0 : 1);
    }

    /** The greatest stored value of a time at or before {@code ns}: a filter's upper bound. */
    long atMost(final long ns) {
        return Math.floorDiv(ns, nanos);
    }

    /** Ns since the epoch from a stored value. */
    long toNanos(final long stored) {
        return stored * nanos;
    }
}
