package io.scalpel.spark;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The columns of a conn DataFrame the join reads, found by Zeek's names and the forms other tools
 * give them (as {@code scalpel slice} reads a Parquet or CSV conn.log: {@code id.orig_h},
 * {@code id_orig_h}, {@code orig_h}, any letter case, or the field {@code orig_h} of a struct
 * column {@code id}), and the key the rows are spread over the tasks by: a flow's rows, in either
 * direction, go to one task, so that a TCP row's packets after its close are bounded by the log's
 * next row of its key there as in the CLI.
 */
final class ConnColumns {
    /** Every column the core's conn.log reader uses, by its Zeek name. */
    static final List<String> ZEEK_NAMES = List.of("ts", "uid", "id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p", "proto",
        "duration", "orig_pkts", "resp_pkts", "tunnel_parents", "vlan", "inner_vlan", "id.ctx.vlan", "id.ctx.inner_vlan",
        "community_id", "ip_proto");
    private static final List<String> FIVE_TUPLE = List.of("id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p", "proto");
    private static final String ID = "id.";

    /** The column of each row's capture, then its partition key, in the prepared rows. */
    static final String CAPTURE = "__scalpel_capture";
    static final String KEY = "__scalpel_key";

    private ConnColumns() {
    }

    /**
     * The join's columns of {@code conn} under their Zeek names (those it has), in {@link #ZEEK_NAMES}' order.
     *
     * @throws IllegalArgumentException when it has no uid, or neither a 5-tuple nor community_id
     */
    static Map<String, Column> find(final Dataset<Row> conn) {
        final StructType schema = conn.schema();
        final Map<String, Column> found = new LinkedHashMap<>();
        for (String zeek : ZEEK_NAMES) {
            final Column c = column(schema, zeek);
            if (c != null) {
                found.put(zeek, c);
            }
        }
        final List<String> missing = new ArrayList<>();
        for (String f : FIVE_TUPLE) {
            if (!found.containsKey(f)) {
                missing.add(f);
            }
        }
        if (!found.containsKey("uid") || (!missing.isEmpty() && !found.containsKey("community_id"))) {
            throw new IllegalArgumentException("the conn DataFrame needs uid and " + (missing.isEmpty() ? "" : String.join(", ", missing)
                + " (or community_id instead); its columns are " + List.of(schema.fieldNames())));
        }
        return found;
    }

    /**
     * The rows prepared for the tasks: the capture, the Zeek columns found ({@code names}), the partition key.
     *
     * @param captureColumn the column naming each row's capture
     */
    static Dataset<Row> prepare(final Dataset<Row> conn, final String captureColumn, final Map<String, Column> found) {
        if (!List.of(conn.schema().fieldNames()).contains(captureColumn)) {
            throw new IllegalArgumentException("the conn DataFrame has no column " + captureColumn + " naming each row's capture; its"
                + " columns are " + List.of(conn.schema().fieldNames()));
        }
        final List<Column> cols = new ArrayList<>();
        cols.add(col("`" + captureColumn + "`").cast("string").as(CAPTURE));
        found.forEach((name, c) -> cols.add(c.as(name)));
        cols.add(key(found).as(KEY));
        return conn.select(cols.toArray(new Column[0]));
    }

    /** proto and the two endpoints in a fixed order (a row in either direction), or community_id without a 5-tuple. */
    private static Column key(final Map<String, Column> found) {
        final Column community = found.containsKey("community_id") ? found.get("community_id").cast("string") : lit(null);
        if (!found.keySet().containsAll(FIVE_TUPLE)) {
            return coalesce(community, lit(""));
        }
        final Column a = concat_ws(" ", found.get("id.orig_h").cast("string"), found.get("id.orig_p").cast("string"));
        final Column b = concat_ws(" ", found.get("id.resp_h").cast("string"), found.get("id.resp_p").cast("string"));
        final Column tuple = concat_ws("|", found.get("proto").cast("string"), least(a, b), greatest(a, b));
        return when(found.get("id.orig_h").isNull().and(community.isNotNull()), community).otherwise(tuple);
    }

    /** The column that holds {@code zeek}, or null. */
    private static Column column(final StructType schema, final String zeek) {
        final List<String> names = new ArrayList<>(List.of(zeek, zeek.replace('.', '_')));
        if (zeek.startsWith(ID)) {
            names.add(zeek.substring(ID.length()));
        }
        for (String n : names) {
            for (StructField f : schema.fields()) {
                if (f.name().toLowerCase(Locale.ROOT).equals(n)) {
                    return col("`" + f.name() + "`");
                }
            }
        }
        if (zeek.startsWith(ID)) {
            for (StructField f : schema.fields()) {
                if (f.name().equalsIgnoreCase("id") && f.dataType() instanceof StructType id) {
                    final String field = zeek.substring(ID.length());
                    for (StructField g : id.fields()) {
                        if (g.name().equalsIgnoreCase(field)) {
                            return col("`" + f.name() + "`").getField(g.name());
                        }
                    }
                }
            }
        }
        return null;
    }
}
