/** Scalpel on Apache Spark. */
package io.scalpel.spark;
