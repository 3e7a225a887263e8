/**
 * The packet index: the third stage, a capture's frames and flows as Parquet tables beside it
 * (docs/index-format.md).
 *
 * <p>Building: {@link io.scalpel.index.IndexBuilder} decides with {@code IndexUpdate} whether the
 * index in place is kept, extended or rebuilt, runs one {@code IndexScan} (frames to rows in
 * {@code FrameRows}, written on two threads by {@code PartPipeline} through {@code PartWriter}),
 * writes its lookup file ({@code LookupFileWriter}), describes the result in a
 * {@code ScanManifest} and commits it by an atomic swap ({@link io.scalpel.index.IndexDirectory}).
 * Reading: {@link io.scalpel.index.PacketIndex} opens and checks an index and answers lookups by
 * flow hash ({@code FlowLookup}, through the lookup file: {@code LookupFile}, {@code LookupParts},
 * {@code LookupColumn}) and by Community ID ({@code CommunityIdLookup}). A capture set's index: {@link io.scalpel.index.CaptureSetBuilder}
 * and {@link io.scalpel.index.CaptureSetManifest}. An index that cannot be used is an
 * {@link io.scalpel.index.IndexException} with its kind and its advice.
 *
 * <p>Entry points: {@link io.scalpel.index.IndexBuilder#build},
 * {@link io.scalpel.index.PacketIndex#open}, {@link io.scalpel.index.CaptureSetBuilder}.
 *
 * <p>Depends on {@code capture} and {@code decode} only (docs/design.md, "One-way data flow"), and
 * on parquet-java without Hadoop ({@link org.apache.parquet.HadoopFreeReadOptions}).
 */
package io.scalpel.index;
