/**
 * One class of Scalpel's in parquet-java's package: {@link org.apache.parquet.HadoopFreeReadOptions}
 * builds {@code ParquetReadOptions} through its package-private constructor, so that reading a
 * Parquet file loads no Hadoop class (docs/design.md, "Parquet without Hadoop").
 *
 * <p>Entry point: {@link org.apache.parquet.HadoopFreeReadOptions}, used by {@code index} and
 * {@code zeek}. Depends on parquet-java only.
 */
package org.apache.parquet;
