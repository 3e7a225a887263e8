/**
 * Selecting the frames of queries: the join of queries with the index, and the confirmation of
 * each candidate frame against the capture.
 *
 * <p>A {@link io.scalpel.slice.Query} is a {@link io.scalpel.slice.FlowQuery} (a conn.log row,
 * {@code --flow}, a tunnel), a {@link io.scalpel.slice.CommunityIdQuery} or a
 * {@link io.scalpel.slice.WindowQuery}. {@link io.scalpel.slice.Slicer} selects their frames in two
 * steps, {@code IndexJoin} (the index rows of each query's candidates) and {@code Confirmation}
 * (each candidate read back, checked against the index, decoded and matched; a TCP connection
 * followed into its tail by {@link io.scalpel.slice.TcpTail}), and hands the selected record
 * offsets to {@code extract}. {@link io.scalpel.slice.BpfFilter} narrows a selection by a BPF
 * expression. {@link io.scalpel.slice.Slicer#connections} cuts a capture's frames into
 * {@link io.scalpel.slice.Connection}s as Zeek would ({@code scalpel flows}).
 *
 * <p>Entry points: {@link io.scalpel.slice.Slicer#select}, {@link io.scalpel.slice.FlowQuery#of},
 * {@link io.scalpel.slice.BpfFilter}.
 *
 * <p>Depends on {@code capture}, {@code decode}, {@code index}, {@code zeek} and {@code extract}
 * (docs/design.md, "One-way data flow").
 */
package io.scalpel.slice;
