/**
 * Zeek's logs: conn.log and tunnel.log rows, whatever their form, as records the join uses.
 *
 * <p>{@link io.scalpel.zeek.ConnLogReader} opens a log by path or stream (Zeek TSV, header-line
 * TSV, CSV or JSON lines, plain, gzip'd or zstd'd; Parquet; a directory of rotated logs) over a
 * row source ({@code TextLogRows}, {@code ParquetConnLog}, {@code RotatedLogs}) and gives
 * {@link io.scalpel.zeek.ConnRecord}s, in constant memory; a bad line goes to a
 * {@link io.scalpel.zeek.ConnLogListener}, a log that cannot be read on is a
 * {@link io.scalpel.zeek.ConnLogFormatException}. {@link io.scalpel.zeek.ConnSelection} finds the
 * rows of some uids and the log's next row of each key ({@link io.scalpel.zeek.SameKeyRows});
 * {@link io.scalpel.zeek.ConnLogBatches}, every uid in bounded batches.
 * {@link io.scalpel.zeek.TunnelLogReader} reads a tunnel.log into {@link io.scalpel.zeek.Tunnel}s.
 *
 * <p>Entry points: {@link io.scalpel.zeek.ConnLogReader#open},
 * {@link io.scalpel.zeek.ConnSelection}, {@link io.scalpel.zeek.ConnLogBatches},
 * {@link io.scalpel.zeek.TunnelLogReader#open}.
 *
 * <p>Depends on {@code capture}, {@code decode} and {@code index} only (the Parquet column
 * readers it shares with the index; docs/design.md, "One-way data flow").
 */
package io.scalpel.zeek;
