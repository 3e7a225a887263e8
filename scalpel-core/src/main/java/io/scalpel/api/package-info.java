/**
 * Scalpel embedded: what the command line and other programs use, and the only package of
 * scalpel-core that scalpel-cli may use.
 *
 * <p>Open one capture file ({@link io.scalpel.api.Scalpel#open}) or a directory of rotated captures
 * ({@link io.scalpel.api.CaptureSet#open}), both {@link io.scalpel.api.Captures}, with its index
 * (built when missing, kept, extended or rebuilt as the {@link io.scalpel.api.Scalpel.Options} say);
 * then run the slicing service, {@link io.scalpel.api.Slices#run}: a
 * {@link io.scalpel.api.SliceRequest} (what to select and where to write) in, a
 * {@link io.scalpel.api.SliceOutcome} out, a {@link io.scalpel.api.SliceListener} told of warnings
 * and notes on the way. {@link io.scalpel.api.ArrowPairs} pairs conn.log rows with their packets
 * as Arrow batches; {@link io.scalpel.api.Flows} lists the connections an index knows. Building, verifying and recompressing report through
 * {@link io.scalpel.api.IndexReport}, {@link io.scalpel.api.CaptureSetIndexReport},
 * {@link io.scalpel.api.IndexCheck} and {@link io.scalpel.api.Recompression};
 * {@link io.scalpel.api.Failure} says what kind of failure an exception is.
 *
 * <p>Entry points: {@link io.scalpel.api.Scalpel#open}, {@link io.scalpel.api.CaptureSet#open},
 * {@link io.scalpel.api.Slices#run}. docs/java-api.md shows them at work.
 *
 * <p>Depends on every other package of scalpel-core, and nothing depends on it there
 * (docs/design.md, "One-way data flow"). Every public type and member here has a comment:
 * the compiler's doclint checks this package.
 */
package io.scalpel.api;
