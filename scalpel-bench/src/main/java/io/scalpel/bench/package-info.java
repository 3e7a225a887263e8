/**
 * Benchmarks of the hot paths and the tools of the comparative harness (docs/performance.md).
 *
 * <p>JMH benchmarks: {@link io.scalpel.bench.ScanBenchmark} (read and decode),
 * {@link io.scalpel.bench.IndexBenchmark} (a whole build), {@link io.scalpel.bench.LookupBenchmark}
 * (one flow lookup), {@link io.scalpel.bench.SliceBenchmark} (a warm one-uid slice) and
 * {@link io.scalpel.bench.ConnLogBenchmark} (conn.log parsing), over
 * {@link io.scalpel.bench.IndexedCapture}. Tools run by {@code compare.sh}:
 * {@link io.scalpel.bench.SyntheticCapture} writes a large seeded capture with its conn.log
 * (uniform flows, or traffic-shaped by {@code TrafficCapture} and its package-private rooms),
 * {@link io.scalpel.bench.ScanOnly} reads and decodes without indexing,
 * {@link io.scalpel.bench.WarmSlice} times slices through the Java API, and
 * {@link io.scalpel.bench.ExtractContains} checks that one capture holds every frame of another.
 *
 * <p>Entry points: the JMH benchmarks ({@code target/benchmarks.jar}) and the {@code main} of
 * each tool.
 *
 * <p>Depends on scalpel-core (the API, and the inner packages a benchmark of one stage measures);
 * nothing depends on it.
 */
package io.scalpel.bench;
