package io.scalpel.spark;

import io.scalpel.api.IndexOptions;
import io.scalpel.api.Scalpel;
import io.scalpel.decode.CommunityId;
import io.scalpel.index.IndexBuilder;
import io.scalpel.slice.TcpEnding;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.Objects;

/**
 * How {@link ScalpelSpark} indexes and joins: where the indexes are, how conn rows are joined,
 * which column names each row's capture, how many tasks. Serializable: the executors receive it
 * with their task, and make the core's {@link Scalpel.Options} from it there.
 *
 * @param indexRoot          a directory holding every capture's index as {@code NAME.scalpel} (a
 *                           capture set's as {@code DIRNAME.scalpel}); null for the CLI's default,
 *                           {@code CAPTURE.scalpel} beside each capture ({@code DIR/.scalpel} for a set)
 * @param rebuild            indexing: build every index from the start, even one that is fresh
 * @param writerThreads      indexing: the writer threads of each task's build, 0, 1 or 2 (the core's
 *                           {@link IndexOptions#writerThreads()}); 0 by default: the task's own thread
 *                           writes the parts, so that a task uses the one core Spark gives it
 *                           ({@code spark.task.cpus}) and the task slots provide the parallelism
 * @param vlanKey            the join: whether conn rows are joined by their VLAN tags as well (the CLI's
 *                           {@code --vlan-aware}/{@code --vlan-blind}; as the log says by default)
 * @param communityIdSeed    the join: the seed of the conn rows' community_id (the CLI's {@code --community-id-seed})
 * @param tcpCloseDelayNanos the join: Zeek's {@code tcp_close_delay} (the CLI's {@code --tcp-close-delay})
 * @param captureColumn      the join: the conn DataFrame's column naming the capture file, or capture
 *                           set directory, each row is sliced against
 * @param partitions         the join: how many tasks the conn rows are spread over; 0 for Spark's
 *                           default parallelism
 * @param format             the extracts: {@code pcap} or {@code pcapng}; null for the capture's own (the CLI's {@code --format})
 */
public record SparkOptions(String indexRoot, boolean rebuild, int writerThreads, Scalpel.VlanKey vlanKey, int communityIdSeed,
                           long tcpCloseDelayNanos, String captureColumn, int partitions, String format) implements Serializable {
    private static final long serialVersionUID = 1L;

    /** The column {@link #defaults()} reads each row's capture from. */
    public static final String CAPTURE = "capture";

    /** Checks the values: 0, 1 or 2 writer threads, a 16-bit seed, a delay and a task count not negative, a column named. */
    public SparkOptions {
        IndexBuilder.checkWriterThreads(writerThreads);
        Objects.requireNonNull(vlanKey, "vlanKey");
        Objects.requireNonNull(captureColumn, "captureColumn");
        CommunityId.checkSeed(communityIdSeed);
        if (tcpCloseDelayNanos < 0 || partitions < 0) {
            throw new IllegalArgumentException("tcp_close_delay and partitions must not be negative, were "
                + tcpCloseDelayNanos + " ns and " + partitions);
        }
        if (format != null && !format.equals("pcap") && !format.equals("pcapng")) {
            throw new IllegalArgumentException("format must be pcap or pcapng, not '" + format + "'");
        }
    }

    /**
     * The CLI's defaults but no writer thread (each task writes its build's parts itself): indexes beside the captures, rows joined as their log says, seed 0, a TCP
     * close delay of 5 s, the capture in column {@value #CAPTURE}, Spark's parallelism, each extract
     * in its capture's format.
     *
     * @return the default options
     */
    public static SparkOptions defaults() {
        return new SparkOptions(null, false, IndexBuilder.INLINE_WRITER, Scalpel.VlanKey.AS_LOGGED, CommunityId.DEFAULT_SEED,
            TcpEnding.DEFAULT_CLOSE_DELAY_NANOS, CAPTURE, 0, null);
    }

    /**
     * These options with every index in {@code dir} (null: beside its capture).
     *
     * @param dir the directory of the indexes
     * @return the new options
     */
    public SparkOptions withIndexRoot(final String dir) {
        return new SparkOptions(dir, rebuild, writerThreads, vlanKey, communityIdSeed, tcpCloseDelayNanos, captureColumn, partitions, format);
    }

    /**
     * These options rebuilding every index, or only the missing and stale ones.
     *
     * @param r rebuild from the start
     * @return the new options
     */
    public SparkOptions withRebuild(final boolean r) {
        return new SparkOptions(indexRoot, r, writerThreads, vlanKey, communityIdSeed, tcpCloseDelayNanos, captureColumn, partitions, format);
    }

    /**
     * These options building each index with {@code n} writer threads.
     *
     * @param n 0 (the default here: the task's thread writes, one core a task, the task slots provide
     *          the parallelism), 1 or 2 (one build on two cores, as the CLI's)
     * @return the new options
     * @throws IllegalArgumentException when {@code n} is not 0, 1 or 2
     */
    public SparkOptions withWriterThreads(final int n) {
        return new SparkOptions(indexRoot, rebuild, n, vlanKey, communityIdSeed, tcpCloseDelayNanos, captureColumn, partitions, format);
    }

    /**
     * These options with another connection key.
     *
     * @param k whether conn rows are joined by their VLAN tags
     * @return the new options
     */
    public SparkOptions withVlanKey(final Scalpel.VlanKey k) {
        return new SparkOptions(indexRoot, rebuild, writerThreads, k, communityIdSeed, tcpCloseDelayNanos, captureColumn, partitions, format);
    }

    /**
     * These options with another Community ID seed.
     *
     * @param seed the seed Zeek computed the conn rows' community_id with (0 to 65535)
     * @return the new options
     */
    public SparkOptions withCommunityIdSeed(final int seed) {
        return new SparkOptions(indexRoot, rebuild, writerThreads, vlanKey, seed, tcpCloseDelayNanos, captureColumn, partitions, format);
    }

    /**
     * These options with another TCP close delay.
     *
     * @param nanos Zeek's tcp_close_delay, ns
     * @return the new options
     */
    public SparkOptions withTcpCloseDelayNanos(final long nanos) {
        return new SparkOptions(indexRoot, rebuild, writerThreads, vlanKey, communityIdSeed, nanos, captureColumn, partitions, format);
    }

    /**
     * These options reading each row's capture from another column.
     *
     * @param column the column's name
     * @return the new options
     */
    public SparkOptions withCaptureColumn(final String column) {
        return new SparkOptions(indexRoot, rebuild, writerThreads, vlanKey, communityIdSeed, tcpCloseDelayNanos, column, partitions, format);
    }

    /**
     * These options spreading the conn rows over {@code n} tasks (0: Spark's default parallelism).
     *
     * @param n how many tasks
     * @return the new options
     */
    public SparkOptions withPartitions(final int n) {
        return new SparkOptions(indexRoot, rebuild, writerThreads, vlanKey, communityIdSeed, tcpCloseDelayNanos, captureColumn, n, format);
    }

    /**
     * These options writing extracts as {@code pcap} or {@code pcapng} (null: the capture's own format).
     *
     * @param f the format
     * @return the new options
     */
    public SparkOptions withFormat(final String f) {
        return new SparkOptions(indexRoot, rebuild, writerThreads, vlanKey, communityIdSeed, tcpCloseDelayNanos, captureColumn, partitions, f);
    }

    /** The index directory of the capture (or capture set) at {@code path}, or null for the CLI's default. */
    Path indexOf(final Path path) {
        if (indexRoot == null) {
            return null;
        }
        final Path name = path.toAbsolutePath().normalize().getFileName();
        return Path.of(indexRoot).resolve(name + ".scalpel");
    }

    /** The core's options for building an index: rebuilt or not, with this many writer threads. */
    IndexOptions indexOptions() {
        return IndexOptions.defaults().withRebuild(rebuild).withWriterThreads(writerThreads);
    }

    /** The core's options for opening a capture (or set) for the join: its index must exist and be fresh. */
    Scalpel.Options joinOptions(final Path path) {
        return Scalpel.Options.defaults().withIndex(indexOf(path)).withBuildIfMissing(false).withVlanKey(vlanKey)
            .withCommunityIdSeed(communityIdSeed).withTcpCloseDelayNanos(tcpCloseDelayNanos);
    }
}
