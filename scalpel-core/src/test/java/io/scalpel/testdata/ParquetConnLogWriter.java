package io.scalpel.testdata;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Converts a Zeek TSV conn.log into Parquet with DuckDB, the way Zeek-to-Parquet converters
 * write it: column names with dots, with underscores, or the id fields nested in an {@code id}
 * group; ts as TIMESTAMP (micros or nanos) or DOUBLE epoch seconds; duration as DOUBLE seconds
 * or BIGINT nanoseconds. Parses the TSV itself (it imports nothing from scalpel's readers).
 */
public final class ParquetConnLogWriter {
    /** How the id fields are named. */
    public enum Naming { DOTTED, UNDERSCORED, NESTED }

    /** How ts and duration are stored. */
    public enum Times {
        /** ts TIMESTAMP (micros), duration DOUBLE seconds, ports INTEGER. */
        TIMESTAMP_MICROS,
        /** ts TIMESTAMP_NS, duration BIGINT nanoseconds, ports BIGINT. */
        TIMESTAMP_NANOS,
        /** ts DOUBLE epoch seconds, duration DOUBLE seconds, ports INTEGER. */
        DOUBLE_SECONDS
    }

    private static final String[] ID_FIELDS = {"orig_h", "orig_p", "resp_h", "resp_p"};

    private ParquetConnLogWriter() {
    }

    /**
     * @param compression snappy, zstd, gzip or uncompressed
     * @param rowGroupSize rows per row group
     */
    public static void convert(final Path tsv, final Path parquet, final Naming naming, final Times times,
                               final String compression, final int rowGroupSize) throws IOException {
        final List<String> fields = new ArrayList<>();
        final List<String[]> rows = new ArrayList<>();
        for (String line : Files.readAllLines(tsv, StandardCharsets.UTF_8)) {
            if (line.startsWith("#fields\t")) {
                fields.clear();
                fields.addAll(List.of(line.substring("#fields\t".length()).split("\t", -1)));
            } else if (!line.startsWith("#") && !line.isBlank()) {
                rows.add(line.split("\t", -1));
            }
        }
        final boolean vlan = fields.contains("vlan");
        final boolean communityId = fields.contains("community_id");
        final boolean bigPorts = times == Times.TIMESTAMP_NANOS;
        final String port = bigPorts ? "BIGINT" : "INTEGER";
        final StringBuilder create = new StringBuilder("CREATE TABLE conn (ts ")
            .append(times == Times.DOUBLE_SECONDS ? "DOUBLE" : times == Times.TIMESTAMP_NANOS ? "TIMESTAMP_NS" : "TIMESTAMP")
            .append(", uid VARCHAR, ");
        if (naming == Naming.NESTED) {
            create.append("id STRUCT(orig_h VARCHAR, orig_p ").append(port).append(", resp_h VARCHAR, resp_p ").append(port).append("), ");
        } else {
            for (String f : ID_FIELDS) {
                create.append('"').append(idName(naming, f)).append("\" ").append(f.endsWith("_h") ? "VARCHAR" : port).append(", ");
            }
        }
        create.append("proto VARCHAR, service VARCHAR, duration ").append(times == Times.TIMESTAMP_NANOS ? "BIGINT" : "DOUBLE")
            .append(", conn_state VARCHAR, orig_pkts BIGINT, resp_pkts BIGINT, ip_proto INTEGER");
        if (vlan) {
            create.append(", vlan INTEGER, inner_vlan INTEGER");
        }
        if (communityId) {
            create.append(", community_id VARCHAR");
        }
        create.append(')');
        final String tsValue = times == Times.DOUBLE_SECONDS ? "?::DOUBLE"
            : times == Times.TIMESTAMP_NANOS ? "make_timestamp(?::BIGINT)::TIMESTAMP_NS" : "make_timestamp(?::BIGINT)";
        final String idValues = naming == Naming.NESTED
            ? "struct_pack(orig_h := ?::VARCHAR, orig_p := ?::" + port + ", resp_h := ?::VARCHAR, resp_p := ?::" + port + ")"
            : "?, ?::" + port + ", ?, ?::" + port;
        final int params = 12 + (naming == Naming.NESTED ? 0 : 0) + (vlan ? 2 : 0) + (communityId ? 1 : 0);
        final StringBuilder insert = new StringBuilder("INSERT INTO conn VALUES (").append(tsValue).append(", ?, ").append(idValues)
            .append(", ?, ?, ").append(times == Times.TIMESTAMP_NANOS ? "?::BIGINT" : "?::DOUBLE").append(", ?, ?::BIGINT, ?::BIGINT, ?::INTEGER");
        for (int i = 12; i < params; i++) {
            insert.append(i < 12 + (vlan ? 2 : 0) ? ", ?::INTEGER" : ", ?");
        }
        insert.append(')');
        try (Connection db = DriverManager.getConnection("jdbc:duckdb:");
             Statement st = db.createStatement()) {
            st.execute(create.toString());
            try (PreparedStatement ps = db.prepareStatement(insert.toString())) {
                for (String[] r : rows) {
                    int p = 1;
                    final String ts = value(fields, r, "ts");
                    ps.setObject(p++, ts == null ? null : times == Times.DOUBLE_SECONDS ? ts
                        : Long.toString(new BigDecimal(ts).movePointRight(6).longValueExact()));
                    ps.setObject(p++, value(fields, r, "uid"));
                    for (String f : ID_FIELDS) {
                        ps.setObject(p++, value(fields, r, "id." + f));
                    }
                    ps.setObject(p++, value(fields, r, "proto"));
                    ps.setObject(p++, value(fields, r, "service"));
                    final String duration = value(fields, r, "duration");
                    ps.setObject(p++, duration == null || times != Times.TIMESTAMP_NANOS ? duration
                        : Long.toString(new BigDecimal(duration).movePointRight(9).longValueExact()));
                    ps.setObject(p++, value(fields, r, "conn_state"));
                    ps.setObject(p++, value(fields, r, "orig_pkts"));
                    ps.setObject(p++, value(fields, r, "resp_pkts"));
                    ps.setObject(p++, value(fields, r, "ip_proto"));
                    if (vlan) {
                        ps.setObject(p++, value(fields, r, "vlan"));
                        ps.setObject(p++, value(fields, r, "inner_vlan"));
                    }
                    if (communityId) {
                        ps.setObject(p++, value(fields, r, "community_id"));
                    }
                    ps.execute();
                }
            }
            Files.deleteIfExists(parquet);
            st.execute("COPY conn TO '" + parquet.toString().replace("'", "''") + "' (FORMAT parquet, COMPRESSION "
                + compression.toLowerCase(Locale.ROOT) + ", ROW_GROUP_SIZE " + rowGroupSize + ")");
        } catch (SQLException e) {
            throw new IOException("DuckDB could not convert " + tsv + " to " + parquet + ": " + e.getMessage(), e);
        }
    }

    /** Runs one SQL statement against an in-memory DuckDB (to write hostile Parquet files). */
    public static void sql(final String statement) throws IOException {
        try (Connection db = DriverManager.getConnection("jdbc:duckdb:");
             Statement st = db.createStatement()) {
            st.execute(statement);
        } catch (SQLException e) {
            throw new IOException(statement + ": " + e.getMessage(), e);
        }
    }

    private static String idName(final Naming naming, final String f) {
        return naming == Naming.DOTTED ? "id." + f : "id_" + f;
    }

    private static String value(final List<String> fields, final String[] row, final String name) {
        final int i = fields.indexOf(name);
        if (i < 0 || "-".equals(row[i])) {
            return null;
        }
        return "(empty)".equals(row[i]) ? "" : row[i];
    }
}
